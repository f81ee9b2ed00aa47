/**
 * Upstream HTTP for providers: {@link dev.providergateway.provider.http.UpstreamHttp} (one
 * keep-alive HTTP/1.1 client per provider on the shared event loops of {@link
 * dev.providergateway.provider.http.UpstreamTransport}, deadlines, cancellation, bounded bodies),
 * {@link dev.providergateway.provider.http.HttpErrors} (the one status-to-exception mapping),
 * stream framing ({@link dev.providergateway.provider.http.SseDecoder}, {@link
 * dev.providergateway.provider.http.NdjsonDecoder}, or any line-oriented {@link
 * dev.providergateway.provider.http.StreamDecoder}) and the shared Jackson mapper {@link
 * dev.providergateway.provider.http.Json}.
 */
package dev.providergateway.provider.http;
