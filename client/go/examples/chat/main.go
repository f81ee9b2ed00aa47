// Command chat sends one message to provider-gateway, prints the reply, then streams it again.
//
//	go run ./examples/chat -target localhost:50051 "Hello, gateway"
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/provider-gateway/provider-gateway/client/go/gateway"
)

func main() {
	target := flag.String("target", "localhost:50051", "gateway address (host:port)")
	provider := flag.String("provider", "", "provider name or alias (empty: the gateway's default)")
	timeout := flag.Duration("timeout", 30*time.Second, "deadline of each call")
	flag.Parse()
	text := strings.Join(flag.Args(), " ")
	if text == "" {
		text = "Hello, gateway"
	}

	client, err := gateway.NewClient(*target)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	req := gateway.Request(text)
	req.Provider = *provider
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	reply, err := client.Chat(ctx, req)
	if err != nil {
		details, _ := gateway.ErrorDetailsOf(err)
		fmt.Fprintf(os.Stderr, "error: %s %s: %s\n", details.Code, details.Reason, details.Message)
		if delay, ok := gateway.RetryDelay(err); ok {
			fmt.Fprintf(os.Stderr, "retry after %s\n", delay)
		}
		os.Exit(1)
	}
	fmt.Printf("%s (%d tokens)\n", reply.GetContent(), reply.GetUsage().GetTotalTokens())

	stream, err := client.Stream(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	for chunk, err := range stream.All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Print(chunk.GetContent())
		if chunk.GetIsFinal() {
			fmt.Printf("\nstop=%s usage=%d\n", chunk.GetStopReason(), chunk.GetUsage().GetTotalTokens())
		}
	}
}
