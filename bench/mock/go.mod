module github.com/provider-gateway/provider-gateway/bench/mock

go 1.23.0
