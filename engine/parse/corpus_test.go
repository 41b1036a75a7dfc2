package parse

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir is the shared conformance corpus (real lines from fail2ban, CrowdSec, grok and
// other projects' test suites). It lives outside the repo and is not copied into it; the test
// skips where it is absent (CI has it).
const corpusDir = "../../../shared/corpus"

type expectation struct {
	File       string   `json:"file"`
	Line       int      `json:"line"`
	IP         *string  `json:"ip"`
	Basis      string   `json:"ip_basis"`
	Program    string   `json:"program"`
	Hint       string   `json:"category_hint"`
	ClientIP   *string  `json:"client_ip_in_line"`
	DecoyIPs   []string `json:"decoy_ips"`
	NullReason string   `json:"null_reason"`
}

func loadCorpus(t *testing.T) ([]expectation, map[string][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "expectations.jsonl"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus missing in CI: %v", err)
		}
		t.Skipf("shared corpus not present (%v)", err)
	}
	defer f.Close()
	var exps []expectation
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e expectation
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		exps = append(exps, e)
	}
	files := map[string][]string{}
	for _, e := range exps {
		if _, ok := files[e.File]; ok {
			continue
		}
		b, err := os.ReadFile(filepath.Join(corpusDir, e.File))
		if err != nil {
			t.Fatal(err)
		}
		files[e.File] = strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	}
	return exps, files
}

// attributed returns the IP a parsed line is blamed on or credited to, if any.
func attributed(ev *Event) (netip.Addr, bool) {
	switch ev.Kind {
	case Unknown, NoClient, Delivered:
		return netip.Addr{}, false
	}
	return ev.IP, ev.IP.IsValid()
}

// TestCorpus_ClientIPByPosition is the conformance test: every line with an upstream-annotated
// client IP is attributed to exactly that IP, and no decoy address (HELO, envelope, payload,
// lip=, relay, PTR-embedded, injected rhost=) is ever attributed.
func TestCorpus_ClientIPByPosition(t *testing.T) {
	exps, files := loadCorpus(t)
	var p Parser
	p.Now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var ev Event
	upstream, inferredOK, inferred := 0, 0, 0
	for _, e := range exps {
		line := files[e.File][e.Line-1]
		if e.Program != "" {
			// message-only corpus files: give the line the header its program would have written
			line = "Nov 27 11:34:48 mail " + e.Program + "[1234]: " + line
		}
		name := fmt.Sprintf("%s:%d", e.File, e.Line)
		p.Parse([]byte(line), time.Time{}, &ev)
		got, ok := attributed(&ev)
		for _, d := range e.DecoyIPs {
			if ok && got.String() == d {
				t.Errorf("%s: decoy %s attributed (rule %q)\n  %s", name, d, ev.Rule, line)
			}
		}
		if e.IP == nil {
			continue
		}
		want := netip.MustParseAddr(*e.IP).Unmap()
		if strings.HasPrefix(e.Basis, "upstream") {
			upstream++
			if !ok || got != want {
				t.Errorf("%s: got %v (attributed %v, kind %v, rule %q), want %v\n  %s", name, got, ok, ev.Kind, ev.Rule, want, line)
			}
			continue
		}
		inferred++
		if ok && got == want {
			inferredOK++
		} else {
			t.Logf("inferred %s: got %v (kind %v), corpus reads %v\n  %s", name, got, ev.Kind, want, line)
		}
	}
	t.Logf("upstream-annotated lines: %d; inferred lines agreeing: %d/%d", upstream, inferredOK, inferred)
	if upstream < 250 {
		t.Fatalf("only %d upstream-annotated lines checked", upstream)
	}
}
