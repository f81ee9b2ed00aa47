// Embeds texts and counts the tokens of a prompt through provider-gateway.
//
//   npm run example:embed -- localhost:50051 echo/echo-1 "first text" "second text"
//
// The built-in echo provider answers with deterministic demo vectors; name an embedding model of a
// configured provider (for example openai/text-embedding-3-small) for real ones. In an application,
// import from "@provider-gateway/client" instead of "../src/index".
import { GatewayClient, GatewayError } from "../src/index";

async function main(): Promise<void> {
  const [target = "localhost:50051", model = "echo/echo-1", ...given] = process.argv.slice(2);
  const texts = given.length > 0 ? given : ["The food was delicious", "and the waiter..."];
  const client = new GatewayClient(target, { timeoutMs: 30_000 });
  try {
    const response = await client.embed({ model, inputs: texts });
    response.embeddings.forEach((e, i) => {
      console.log(`${JSON.stringify(texts[i])}: ${e.values.length} dims, first ${e.values[0]?.toFixed(4)}`);
    });
    console.log(`usage: ${response.usage?.promptTokens} input tokens`);
    const counted = await client.countTokens(texts[0]);
    console.log(`countTokens(${JSON.stringify(texts[0])}) = ${counted.inputTokens} (estimated: ${counted.estimated})`);
  } catch (error) {
    if (error instanceof GatewayError) {
      console.error(`error: ${error.codeName} ${error.reason}: ${error.details}`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  } finally {
    client.close();
  }
}

void main();
