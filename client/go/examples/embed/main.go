// Command embed embeds texts and counts the tokens of a prompt through provider-gateway.
//
//	go run ./examples/embed -target localhost:50051 -model echo/echo-1 "first text" "second text"
//
// The built-in echo provider answers with deterministic demo vectors; name an embedding model of
// a configured provider (for example openai/text-embedding-3-small) for real ones.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/provider-gateway/provider-gateway/client/go/gateway"
)

func main() {
	target := flag.String("target", "localhost:50051", "gateway address (host:port)")
	model := flag.String("model", "echo/echo-1", "embedding model, route alias or provider/model")
	flag.Parse()
	texts := flag.Args()
	if len(texts) == 0 {
		texts = []string{"The food was delicious", "and the waiter..."}
	}

	client, err := gateway.NewClient(*target)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	resp, err := client.Embed(ctx, gateway.EmbedRequest(*model, texts...))
	if err != nil {
		log.Fatalf("embed: %v (reason %s)", err, gateway.Reason(err))
	}
	for i, e := range resp.GetEmbeddings() {
		values := e.GetValues()
		fmt.Printf("%q: %d dims, first %.4f\n", texts[i], len(values), values[0])
	}
	fmt.Printf("usage: %d input tokens\n", resp.GetUsage().GetPromptTokens())

	counted, err := client.CountTokens(ctx, gateway.Request(texts[0]))
	if err != nil {
		log.Fatalf("count tokens: %v", err)
	}
	fmt.Printf("count_tokens(%q) = %d (estimated: %v)\n", texts[0], counted.GetInputTokens(), counted.GetEstimated())
}
