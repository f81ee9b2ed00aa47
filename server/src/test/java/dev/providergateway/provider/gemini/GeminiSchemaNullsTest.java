package dev.providergateway.provider.gemini;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.providergateway.provider.InvalidRequestException;
import dev.providergateway.provider.http.Json;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A JSON null anywhere in a schema is converted or refused by field, never a crash. */
class GeminiSchemaNullsTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":null}",
        "{\"type\":[null,\"string\"]}",
        "{\"type\":\"object\",\"properties\":null}",
        "{\"type\":\"object\",\"properties\":{\"a\":null}}",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":null}",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[null]}",
        "{\"type\":\"array\",\"items\":null}",
        "{\"type\":\"array\",\"items\":[null]}",
        "{\"type\":\"string\",\"enum\":null}",
        "{\"type\":\"string\",\"enum\":[null,\"a\"]}",
        "{\"const\":null}",
        "{\"anyOf\":null}",
        "{\"anyOf\":[null,{\"type\":\"string\"}]}",
        "{\"oneOf\":[null]}",
        "{\"allOf\":[null]}",
        "{\"allOf\":null}",
        "{\"$ref\":null}",
        "{\"$defs\":null,\"$ref\":\"#/$defs/a\"}",
        "{\"$defs\":{\"a\":null},\"$ref\":\"#/$defs/a\"}",
        "{\"description\":null,\"minimum\":null,\"format\":null,\"nullable\":null}",
        "{\"exclusiveMinimum\":null,\"exclusiveMaximum\":null}",
        "{\"propertyOrdering\":null,\"title\":null}",
        "{\"not\":null}"
      })
  void convert_nullInSchema_convertedOrRefusedByField(String json) throws Exception {
    Map<String, Object> schema = Json.MAPPER.readValue(json, new TypeReference<>() {});
    try {
      assertThat(GeminiSchema.convert(schema, "tools[0].parameters")).isNotNull();
    } catch (InvalidRequestException e) {
      assertThat(e.violations().get(0).field()).startsWith("tools[0].parameters");
    }
  }
}
