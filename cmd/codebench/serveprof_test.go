package main

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"charm.land/log/v2"
)

func TestServePprofOnLoopbackOnly(t *testing.T) {
	logger := log.New(io.Discard)
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:6060", "example.org:6060", "127.0.0.1"} {
		if stop, err := servePprof(addr, logger); err == nil {
			stop()
			t.Errorf("--pprof %s accepted", addr)
		}
	}
	port, err := loopbackPort()
	if err != nil {
		t.Fatal(err)
	}
	stop, err := servePprof(port, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get("http://" + port + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "allocs") {
		t.Fatalf("%s\n%s", resp.Status, body)
	}
}

func TestParseCPUs(t *testing.T) {
	allowed := []int{0, 1, 2, 3}
	for in, want := range map[string][]int{"0": {0}, "1-3": {1, 2, 3}, "0,2": {0, 2}, "2, 2-3": {2, 3}} {
		got, err := parseCPUs(in, allowed)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "x", "3-1", "4", "0-9", "-1"} {
		if got, err := parseCPUs(in, allowed); err == nil {
			t.Errorf("%q accepted: %v", in, got)
		}
	}
}
