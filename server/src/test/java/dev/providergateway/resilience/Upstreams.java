package dev.providergateway.resilience;

import dev.providergateway.provider.testing.FakeUpstream.RecordedRequest;
import dev.providergateway.provider.testing.FakeUpstream.Response;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * A scripted upstream that answers by the requested model, so one fake serves healthy and faulty
 * calls side by side and counts them: {@code ok*} answers "ok", {@code fail*} is an HTTP 500,
 * {@code auth*} a 401, {@code bad*} a 400, {@code missing*} a 404 naming the model, {@code
 * limited*} a 429 with {@code Retry-After: 20}, {@code busy*} a 429 without it, {@code quota*} a
 * quota 429, {@code garbage*} a body that is not JSON, {@code dies*} a first piece of text then a
 * reset, {@code hangs*} a first piece of text (streams) or nothing (Chat) and then nothing more,
 * {@code silent*} headers and then only keep-alive bytes; any other model is answered by {@code
 * otherwise} (a fault profile, say).
 */
final class Upstreams {
  private Upstreams() {}

  static Function<RecordedRequest, Response> byModel() {
    return byModel(r -> null);
  }

  static Function<RecordedRequest, Response> byModel(
      Function<RecordedRequest, Response> otherwise) {
    return r -> {
      String model = r.json().path("model").asText();
      boolean stream = r.json().path("stream").asBoolean();
      if (model.startsWith("ok")) {
        return Wire.answer(stream, "ok");
      } else if (model.startsWith("fail")) {
        return Response.json(500, Wire.error("server_error", "The server had an error"));
      } else if (model.startsWith("auth")) {
        return Response.json(401, Wire.error("invalid_api_key", "Incorrect API key provided"));
      } else if (model.startsWith("bad")) {
        return Response.json(
            400, Wire.error("invalid_request_error", "Invalid value for 'temperature'"));
      } else if (model.startsWith("missing")) {
        return Response.json(
            404, Wire.error("model_not_found", "The model `" + model + "` does not exist"));
      } else if (model.startsWith("limited")) {
        return Response.json(429, Wire.error("rate_limit_exceeded", "Rate limit reached"))
            .withHeader("retry-after", "20");
      } else if (model.startsWith("busy")) {
        return Response.json(429, Wire.error("rate_limit_exceeded", "Rate limit reached"));
      } else if (model.startsWith("quota")) {
        return Response.json(
            429, Wire.error("insufficient_quota", "You exceeded your current quota"));
      } else if (model.startsWith("garbage")) {
        return Response.text(
            200,
            stream ? "text/event-stream" : "application/json",
            stream ? "data: <html>oops</html>\n\n" : "<html>oops</html>");
      } else if (model.startsWith("dies")) {
        return Response.stream(
                200,
                stream ? "text/event-stream" : "application/json",
                Duration.ZERO,
                List.of(stream ? Wire.chunk("Hel") : "{\"id\":"))
            .thenReset();
      } else if (model.startsWith("silent")) {
        return Response.stream(
                200, stream ? "text/event-stream" : "application/json", Duration.ZERO, List.of())
            .thenHang(stream ? ": ping\n\n" : " ");
      } else if (model.startsWith("hangs")) {
        return stream
            ? Response.stream(200, "text/event-stream", Duration.ZERO, List.of(Wire.chunk("Hel")))
                .thenHang("\n")
            : Response.stream(200, "application/json", Duration.ZERO, List.of()).thenHang(" ");
      }
      return otherwise.apply(r);
    };
  }
}
