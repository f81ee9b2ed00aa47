/**
 * The gateway's configuration: immutable, validated records loaded from one YAML file.
 *
 * <p>{@link dev.providergateway.config.ConfigLoader} reads the file, substitutes {@code ${VAR}}
 * references from an injected environment and binds the result into a {@link
 * dev.providergateway.config.GatewayConfig}; {@link dev.providergateway.config.StartupOptions}
 * turns command-line flags and environment variables into the file to load and the port to use.
 * Every problem is reported as a {@link dev.providergateway.config.ConfigException} whose message
 * names the key path, the offending value (never a secret's) and what was expected.
 *
 * <p><strong>Why the binding is hand-written, not Jackson data binding.</strong> Jackson parses the
 * file here ({@code YAMLMapper} into a tree); {@code Node}, {@code ConfigBinder} and {@code
 * OperationsBinder} then read that tree into the records. Binding the records directly with
 * Jackson's {@code ObjectMapper.readValue} was considered (issue 13) and not done, because each of
 * the following behaviours, which the config tests pin, would need a custom deserializer, a {@code
 * DeserializationProblemHandler} or an exception translator of about the same size as the code it
 * replaces:
 *
 * <ul>
 *   <li><b>Defaults per absent key.</b> A missing key takes its section's {@code defaults()} value;
 *       Jackson hands a record's canonical constructor {@code null} or {@code 0}, so an explicit
 *       {@code port: 0} (pick a free port) and an absent port cannot be told apart without boxing
 *       every field and a {@code @JsonCreator} per record that re-applies each default by hand.
 *   <li><b>Unknown keys.</b> {@code providers[0].bse_url: unknown key (did you mean base_url?),
 *       expected one of the keys allowed under providers[0]: name, type, ...} lists the keys in
 *       documentation order and suggests the nearest; Jackson's {@code
 *       UnrecognizedPropertyException} knows neither order nor a suggestion and names the Java
 *       class.
 *   <li><b>Type errors.</b> {@code server.port: expected an integer, got string "abc"}, {@code got
 *       number 1.5}, {@code expected a string (quote values that YAML reads as numbers or
 *       booleans)}: Jackson silently coerces {@code 1.5} to an int and {@code 5} to a string, and
 *       its {@code MismatchedInputException} messages name Java types; turning coercion off and
 *       rewording each failure is one handler per scalar kind.
 *   <li><b>Text where a number belongs.</b> {@code ${PORT}} substitutes to a string, so {@code
 *       "8_080"} must read as an integer and {@code "true"} as a boolean, but other text must fail
 *       with the messages above.
 *   <li><b>Durations and enums.</b> {@code 500ms}, {@code 2m} or {@code PT30S}, and lowercase enum
 *       names with {@code expected one of text, json}: custom deserializers either way.
 *   <li><b>Secrets.</b> A wrong-typed {@code api_key} fails with "value not shown: it is a secret";
 *       Jackson's messages quote the offending token.
 *   <li><b>Key paths.</b> Record validation failures are prefixed with the path of the section
 *       being built ({@code providers[1].breaker.open_duration: ...}, {@code
 *       routes["fast.v2"].targets[0].provider}); Jackson wraps them in {@code
 *       ValueInstantiationException} with a reference chain in Java property names, which would
 *       have to be unwrapped and re-spelled in snake case with the YAML quoting rules.
 *   <li><b>Auth's three states.</b> {@code auth.enabled} absent, true or false are three modes
 *       ({@link dev.providergateway.config.AuthConfig.Mode}), and {@code options} of a provider is
 *       kept as plain values for its factory to read.
 * </ul>
 *
 * <p>The hand-written binder keeps this in one place instead: {@code Node} is the one reader of
 * each scalar kind (and of mappings, lists and key checks), and each binder method lists a
 * section's keys with their defaults. The per-section methods do look alike (the {@code duplicates}
 * tool pairs them by shape); they are a table of key, reader and default, not repeated logic.
 */
package dev.providergateway.config;
