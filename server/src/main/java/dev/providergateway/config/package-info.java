/**
 * The gateway's configuration: immutable, validated records loaded from one YAML file.
 *
 * <p>{@link dev.providergateway.config.ConfigLoader} reads the file, substitutes {@code ${VAR}}
 * references from an injected environment and binds the result into a {@link
 * dev.providergateway.config.GatewayConfig}; {@link dev.providergateway.config.StartupOptions}
 * turns command-line flags and environment variables into the file to load and the port to use.
 * Every problem is reported as a {@link dev.providergateway.config.ConfigException} whose
 * message names the key path, the offending value (never a secret's) and what was expected.
 */
package dev.providergateway.config;
