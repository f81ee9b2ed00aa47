package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** JSON Schema to Gemini's OpenAPI subset: each translation, each drop, each rejection's path. */
class GeminiSchemaTest {
  private static final String PATH = "tools[0].parameters";

  private static JsonNode convert(String schemaJson) {
    return GeminiSchema.convert(map(schemaJson), PATH);
  }

  private static Map<String, Object> map(String json) {
    try {
      return Json.MAPPER.readValue(
          json.replace('\'', '"'), new TypeReference<Map<String, Object>>() {});
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static JsonNode json(String text) {
    return Json.tryParse(text.replace('\'', '"'));
  }

  private static InvalidRequestException rejected(String schemaJson) {
    return catchThrowableOfType(() -> convert(schemaJson), InvalidRequestException.class);
  }

  @Test
  void convert_plainObject_uppercaseTypesPropertiesRequiredAndBoundsKept() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'city':{'type':'string','description':'City','minLength':1},"
                + "'days':{'type':'integer','minimum':1,'maximum':14},'tags':{'type':'array','items':{'type':'string'},'maxItems':3}},"
                + "'required':['city']}");

    assertThat(out)
        .isEqualTo(
            json(
                "{'type':'OBJECT','properties':{'city':{'type':'STRING','description':'City','minLength':1},"
                    + "'days':{'type':'INTEGER','minimum':1,'maximum':14},'tags':{'type':'ARRAY','maxItems':3,'items':{'type':'STRING'}}},"
                    + "'required':['city']}"));
  }

  @Test
  void convert_annotationsAndLooseningKeywords_dropped() {
    JsonNode out =
        convert(
            "{'$schema':'http://json-schema.org/draft-07/schema#','$id':'x','title':'Args','type':'object',"
                + "'additionalProperties':false,'properties':{'n':{'type':'number','default':1,'examples':[2],'multipleOf':0.5,"
                + "'title':'N','readOnly':true,'deprecated':false}},'$comment':'c'}");

    assertThat(out).isEqualTo(json("{'type':'OBJECT','properties':{'n':{'type':'NUMBER'}}}"));
  }

  @Test
  void convert_typeListWithNull_becomesNullable() {
    JsonNode out = convert("{'type':'object','properties':{'note':{'type':['string','null']}}}");

    assertThat(out.at("/properties/note")).isEqualTo(json("{'type':'STRING','nullable':true}"));
  }

  @Test
  void convert_typeListOfSeveralTypes_becomesAnyOfWithEachTypesKeywords() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'v':{'type':['string','integer'],'description':'d',"
                + "'maxLength':5,'minimum':0}}}");

    assertThat(out.at("/properties/v"))
        .isEqualTo(
            json(
                "{'description':'d','anyOf':["
                    + "{'type':'STRING','maxLength':5},{'type':'INTEGER','minimum':0}]}"));
  }

  @Test
  void convert_anyOfWithNullBranch_flattensToNullable() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'when':{'anyOf':[{'type':'string','format':'date-time'},"
                + "{'type':'null'}],'default':null,'title':'When','description':'Start time'}}}");

    assertThat(out.at("/properties/when"))
        .isEqualTo(
            json(
                "{'description':'Start time','nullable':true,"
                    + "'type':'STRING','format':'date-time'}"));
  }

  @Test
  void convert_oneOf_becomesAnyOf() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'id':{'oneOf':[{'type':'string'},{'type':'integer'}]}}}");

    assertThat(out.at("/properties/id"))
        .isEqualTo(json("{'anyOf':[{'type':'STRING'},{'type':'INTEGER'}]}"));
  }

  @Test
  void convert_localRefsIntoDefsAndDefinitions_inlinedWithSiblingKeywords() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'home':{'$ref':'#/$defs/Address','description':'Home'},"
                + "'work':{'$ref':'#/definitions/Address'}},'$defs':{'Address':{'type':'object','properties':{'zip':{'type':'string'}}}},"
                + "'definitions':{'Address':{'type':'object','properties':{'street':{'type':'string'}}}}}");

    assertThat(out)
        .isEqualTo(
            json(
                "{'type':'OBJECT','properties':{"
                    + "'home':{'type':'OBJECT','description':'Home','properties':{'zip':{'type':'STRING'}}},"
                    + "'work':{'type':'OBJECT','properties':{'street':{'type':'STRING'}}}}}"));
  }

  @Test
  void convert_sameDefinitionUsedTwiceNonRecursively_inlinedTwice() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'a':{'$ref':'#/$defs/P'},'b':{'type':'array','items':{'$ref':'#/$defs/P'}}},"
                + "'$defs':{'P':{'type':'object','properties':{'x':{'type':'number'}}}}}");

    assertThat(out.at("/properties/a")).isEqualTo(out.at("/properties/b/items"));
  }

  @Test
  void convert_allOf_mergesPropertiesAndRequired() {
    JsonNode out =
        convert(
            "{'allOf':[{'type':'object','properties':{'a':{'type':'string'}},'required':['a']},"
                + "{'type':'object','properties':{'b':{'type':'boolean'}},'required':['b']}],'description':'both'}");

    assertThat(out)
        .isEqualTo(
            json(
                "{'type':'OBJECT','properties':{'a':{'type':'STRING'},'b':{'type':'BOOLEAN'}},"
                    + "'required':['a','b'],'description':'both'}"));
  }

  @Test
  void convert_stringEnumAndConst_becomeStringEnums() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'unit':{'enum':['c','f']},'kind':{'const':'fixed'},"
                + "'opt':{'type':'string','enum':['a',null]}}}");

    assertThat(out.at("/properties/unit")).isEqualTo(json("{'type':'STRING','enum':['c','f']}"));
    assertThat(out.at("/properties/kind")).isEqualTo(json("{'type':'STRING','enum':['fixed']}"));
    assertThat(out.at("/properties/opt"))
        .isEqualTo(json("{'type':'STRING','enum':['a'],'nullable':true}"));
  }

  @Test
  void convert_nonStringEnum_listedInDescriptionBecauseGeminiEnumsAreStrings() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'level':{'type':'integer','enum':[1,2,3],'description':'Level.'}}}");

    assertThat(out.at("/properties/level"))
        .isEqualTo(json("{'type':'INTEGER','description':'Level. Allowed values: 1, 2, 3.'}"));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "string,date-time,date-time",
    "string,enum,enum",
    "string,email,",
    "string,uri,",
    "number,double,double",
    "integer,int64,int64",
    "integer,int8,"
  })
  void convert_format_keptOnlyWhenGeminiAcceptsIt(String type, String format, String expected) {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'v':{'type':'"
                + type
                + "','format':'"
                + format
                + "'}}}");

    assertThat(out.at("/properties/v/format").asText(null)).isEqualTo(expected);
  }

  @Test
  void convert_exclusiveBounds_becomeInclusiveExactForIntegers() {
    JsonNode out =
        convert(
            "{'type':'object','properties':{'i':{'type':'integer','exclusiveMinimum':0,'exclusiveMaximum':10},"
                + "'x':{'type':'number','exclusiveMinimum':0.5}}}");

    assertThat(out.at("/properties/i"))
        .isEqualTo(json("{'type':'INTEGER','minimum':1,'maximum':9}"));
    assertThat(out.at("/properties/x")).isEqualTo(json("{'type':'NUMBER','minimum':0.5}"));
  }

  @Test
  void convert_typeInferredFromPropertiesAndItems() {
    JsonNode out = convert("{'properties':{'list':{'items':{'type':'string'}}}}");

    assertThat(out)
        .isEqualTo(
            json(
                "{'type':'OBJECT','properties':{'list':{'type':'ARRAY','items':{'type':'STRING'}}}}"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "recursive ref|{'type':'object','properties':{'node':{'$ref':'#/$defs/Node'}},'$defs':{'Node':{'type':'object',"
            + "'properties':{'next':{'$ref':'#/$defs/Node'}}}}}|tools[0].parameters.properties.node.properties.next.$ref|recursive",
        "root ref|{'type':'object','properties':{'self':{'$ref':'#'}}}|tools[0].parameters.properties.self.$ref|recursive",
        "remote ref|{'type':'object','properties':{'x':{'$ref':'https://example.com/s.json'}}}|tools[0].parameters.properties.x.$ref|not a local reference",
        "missing ref|{'type':'object','properties':{'x':{'$ref':'#/$defs/Nope'}}}|tools[0].parameters.properties.x.$ref|does not resolve",
        "patternProperties|{'type':'object','properties':{'m':{'type':'object','patternProperties':{'^x':{'type':'string'}}}}}"
            + "|tools[0].parameters.properties.m.patternProperties|declare the properties by name",
        "tuple items|{'type':'object','properties':{'t':{'type':'array','items':[{'type':'string'},{'type':'integer'}]}}}"
            + "|tools[0].parameters.properties.t.items|tuple",
        "prefixItems|{'type':'object','properties':{'t':{'type':'array','prefixItems':[{'type':'string'}]}}}"
            + "|tools[0].parameters.properties.t.prefixItems|one 'items' schema",
        "not|{'type':'object','properties':{'x':{'not':{'type':'string'}}}}|tools[0].parameters.properties.x.not|negated",
        "if then|{'type':'object','if':{'required':['a']},'then':{'required':['b']}}|tools[0].parameters.if|conditional",
        "array without items|{'type':'object','properties':{'a':{'type':'array'}}}|tools[0].parameters.properties.a|needs 'items'",
        "unknown type|{'type':'object','properties':{'a':{'type':'date'}}}|tools[0].parameters.properties.a.type|not a JSON Schema type",
        "only null|{'type':'object','properties':{'a':{'type':'null'}}}|tools[0].parameters.properties.a.type|only allows null",
        "false schema|{'type':'object','properties':{'a':false}}|tools[0].parameters.properties.a|schema false",
        "allOf conflict|{'allOf':[{'type':'string'},{'type':'integer'}]}|tools[0].parameters.allOf[1]|disagree on 'type'",
        "nested anyOf branch|{'type':'object','properties':{'a':{'anyOf':[{'type':'string'},{'type':'array','items':[]}]}}}"
            + "|tools[0].parameters.properties.a.anyOf[1].items|tuple"
      })
  void convert_inexpressibleConstruct_rejectedNamingTheField(
      String name, String schema, String field, String reason) {
    InvalidRequestException e = rejected(schema);

    assertThat(e).as(name).isNotNull();
    assertThat(e.violations())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo(field);
              assertThat(v.description()).contains(reason);
            });
    assertThat(e.getMessage()).contains(field);
  }
}
