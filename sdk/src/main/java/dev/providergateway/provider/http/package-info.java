/**
 * The provider kit: everything an HTTP provider is written with. {@link
 * dev.providergateway.provider.http.HttpProvider} (the provider itself, asking a subclass only for
 * what differs on its wire), {@link dev.providergateway.provider.http.ProviderOptions} (a config
 * entry's options, base URL, headers and timeouts, checked one way), {@link
 * dev.providergateway.provider.http.UpstreamHttp} (one keep-alive HTTP/1.1 client per provider on
 * the gateway's event loops, {@link dev.providergateway.provider.http.UpstreamTransport}, with
 * deadlines, cancellation and bounded bodies), {@link dev.providergateway.provider.http.HttpErrors}
 * (the one status-to-exception mapping), stream framing ({@link
 * dev.providergateway.provider.http.SseDecoder}, {@link
 * dev.providergateway.provider.http.JsonSseDecoder}, {@link
 * dev.providergateway.provider.http.NdjsonDecoder}, or any line-oriented {@link
 * dev.providergateway.provider.http.StreamDecoder}) and the shared Jackson mapper {@link
 * dev.providergateway.provider.http.Json}.
 */
package dev.providergateway.provider.http;
