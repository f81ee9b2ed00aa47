// Sends one message to provider-gateway, prints the reply, then streams it again.
//
//   npm run example -- localhost:50051 "Hello, gateway"
//
// In an application, import from "@provider-gateway/client" instead of "../src/index".
import { GatewayClient, GatewayError, stopReasonToJSON } from "../src/index";

async function main(): Promise<void> {
  const [target = "localhost:50051", ...words] = process.argv.slice(2);
  const text = words.join(" ") || "Hello, gateway";
  const client = new GatewayClient(target, { timeoutMs: 30_000 });
  try {
    const reply = await client.chat(text);
    console.log(`${reply.content} (${reply.usage?.totalTokens} tokens)`);

    for await (const chunk of client.stream(text)) {
      process.stdout.write(chunk.content);
      if (chunk.isFinal) {
        console.log(`\nstop=${stopReasonToJSON(chunk.stopReason)} usage=${chunk.usage?.totalTokens}`);
      }
    }
  } catch (error) {
    if (error instanceof GatewayError) {
      console.error(`error: ${error.codeName} ${error.reason}: ${error.details}`);
      if (error.retryDelayMs !== undefined) console.error(`retry after ${error.retryDelayMs} ms`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    client.close();
  }
}

void main();
