package dev.providergateway.examples.chatlines;

import com.fasterxml.jackson.databind.JsonNode;
import dev.providergateway.provider.ProviderException;
import dev.providergateway.provider.ProviderException.Origin;
import dev.providergateway.provider.StopReason;
import dev.providergateway.provider.StreamEvent;
import dev.providergateway.provider.Usage;
import dev.providergateway.provider.http.HttpErrors;
import dev.providergateway.provider.http.Json;
import dev.providergateway.provider.http.StreamDecoder;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes chat-lines, one event per line ({@code MODEL}, {@code TEXT}, {@code CALL}, {@code ARGS},
 * {@code USAGE}, {@code END}, {@code ERROR}; {@code #} comments and blank lines are skipped), into
 * stream events. It is also the response side of the tool-call adapter: a {@code CALL ref tool}
 * line opens the call at the next index and {@code ARGS ref "..."} lines append to the call that
 * {@code ref} names, so the gateway joins the fragments by index.
 *
 * <p>{@link ChatLinesResponseMapper} reads a non-streamed answer's lines with it too. One instance
 * per response, called serially, as {@link StreamDecoder} requires.
 */
final class ChatLinesStreamDecoder implements StreamDecoder {
  private static final Pattern CALL = Pattern.compile("(\\S+) ([A-Za-z][A-Za-z0-9_]*)");
  private static final Pattern ARGS = Pattern.compile("(\\S+) (\".*\")");
  private static final Pattern USAGE = Pattern.compile("(\\d{1,9}) (\\d{1,9})");
  private static final Pattern ERROR = Pattern.compile("(\\d{3}) (\".*\")");

  private final Origin origin;
  private final Map<String, String> notes;
  private final Map<String, Integer> callIndex = new HashMap<>();
  private boolean started;
  private boolean ended;

  ChatLinesStreamDecoder(Origin origin, Map<String, String> notes) {
    this.origin = origin;
    this.notes = notes;
  }

  @Override
  public boolean finished() {
    return ended;
  }

  @Override
  public void onLine(String line, Consumer<StreamEvent> emit) {
    if (ended || line.isBlank() || line.startsWith("#")) {
      return;
    }
    int space = line.indexOf(' ');
    String verb = space < 0 ? line : line.substring(0, space);
    String rest = space < 0 ? "" : line.substring(space + 1);
    if (!started) {
      started = true;
      emit.accept(new StreamEvent.ResponseInfo(verb.equals("MODEL") ? rest.strip() : "", notes));
      if (verb.equals("MODEL")) {
        return;
      }
    }
    switch (verb) {
      case "MODEL" -> emit.accept(new StreamEvent.ResponseInfo(rest.strip(), Map.of()));
      case "TEXT" -> emit.accept(new StreamEvent.ContentDelta(string(rest, line)));
      case "CALL" -> {
        Matcher m = match(CALL, rest, line);
        int index = callIndex.size();
        if (callIndex.putIfAbsent(m.group(1), index) != null) {
          throw invalid("a second CALL for ref " + m.group(1));
        }
        emit.accept(new StreamEvent.ToolCallDelta(index, m.group(1), m.group(2), ""));
      }
      case "ARGS" -> {
        Matcher m = match(ARGS, rest, line);
        Integer index = callIndex.get(m.group(1));
        if (index == null) {
          throw invalid("ARGS for ref " + m.group(1) + " before its CALL");
        }
        emit.accept(new StreamEvent.ToolCallDelta(index, "", "", string(m.group(2), line)));
      }
      case "USAGE" -> {
        Matcher m = match(USAGE, rest, line);
        emit.accept(
            new StreamEvent.UsageReport(
                Usage.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))));
      }
      case "END" -> {
        ended = true;
        String reason = rest.strip();
        emit.accept(new StreamEvent.Finish(stopReason(reason, !callIndex.isEmpty()), reason));
      }
      case "ERROR" -> {
        // The status line was already sent: the service reports a late failure in-band, with
        // the HTTP status it would have used. HttpErrors classifies it like a response status.
        Matcher m = match(ERROR, rest, line);
        throw HttpErrors.fromStreamError(origin, m.group(1), string(m.group(2), line));
      }
      default -> throw invalid("an unknown line '" + abbreviate(line) + "'");
    }
  }

  /** chat-lines' end reasons, normalized; unknown ones count as a normal stop. */
  private static StopReason stopReason(String reason, boolean toolCalls) {
    return switch (reason) {
      case "cutoff" -> StopReason.LENGTH;
      case "blocked" -> StopReason.CONTENT_FILTER;
      case "tool" -> StopReason.TOOL_CALLS;
      default -> toolCalls ? StopReason.TOOL_CALLS : StopReason.STOP;
    };
  }

  private String string(String json, String line) {
    JsonNode node = Json.tryParse(json);
    if (node == null || !node.isTextual()) {
      throw invalid("a line whose value is not a JSON string: '" + abbreviate(line) + "'");
    }
    return node.asText();
  }

  private Matcher match(Pattern pattern, String rest, String line) {
    Matcher m = pattern.matcher(rest);
    if (!m.matches()) {
      throw invalid("a malformed line '" + abbreviate(line) + "'");
    }
    return m;
  }

  private ProviderException invalid(String what) {
    return new ProviderException.InvalidResponse(origin, origin.provider() + " sent " + what, null);
  }

  private static String abbreviate(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
