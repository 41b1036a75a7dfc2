package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/mxtop/mxtop/demo"
	"github.com/mxtop/mxtop/engine"
	"github.com/mxtop/mxtop/engine/classify"
	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
	"github.com/mxtop/mxtop/engine/store"
)

func runReport(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // never pick up the developer's own config
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const fixture = `2026-11-27T11:34:48+00:00 mail postfix/postscreen[1]: CONNECT from [203.0.113.7]:51234 to [192.0.2.1]:25
2026-11-27T11:34:48+00:00 mail postfix/postscreen[1]: PREGREET 11 after 0.21 from [203.0.113.7]:51234: EHLO [6.6.6.6]\r\n
2026-11-27T11:34:49+00:00 mail postfix/postscreen[1]: PREGREET 11 after 0.21 from [203.0.113.7]:51235: EHLO User\r\n
2026-11-27T11:34:50+00:00 mail postfix/smtpd[2]: connect from scan-7.shadowserver.org[198.51.100.9]
2026-11-27T11:34:51+00:00 mail postfix/smtpd[2]: lost connection after EHLO from scan-7.shadowserver.org[198.51.100.9]
2026-11-27T11:34:52+00:00 mail postfix/smtpd[3]: connect from mx.example.net[192.0.2.44]
2026-11-27T11:34:52+00:00 mail postfix/smtpd[3]: 4Q2mZT5kVDz1x: client=mx.example.net[192.0.2.44]
2026-11-27T11:34:53+00:00 mail postfix/lmtp[4]: 4Q2mZT5kVDz1x: to=<a@example.com>, relay=mail[/var/run/dovecot/lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 Saved)
2026-11-27T11:34:54+00:00 mail postfix/smtpd[5]: connect from unknown[172.19.0.1]
2026-11-27T11:34:55+00:00 mail postfix/smtpd[5]: this shape is new to mxtop 12345
\x1b[34m[   INF   ]\x1b[0m  Welcome to docker-mailserver
`

func TestReport_JSONContract(t *testing.T) {
	code, out, errs := runReport(t, fixture, "report", "--format", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Lines, Events int64
		IPs           []struct {
			IP, Verdict, Hostname, Helo string
			Reasons                     []string
			Total                       int64
			Categories                  map[string]int64
			Delivered                   int
			FirstSeen                   string `json:"first_seen"`
			LastSeen                    string `json:"last_seen"`
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Lines != 11 || r.Events != 3 {
		t.Fatalf("lines %d events %d", r.Lines, r.Events)
	}
	got := map[string]string{}
	for _, ip := range r.IPs {
		got[ip.IP] = ip.Verdict
		switch ip.IP {
		case "203.0.113.7":
			if ip.Categories["pregreet"] != 2 || ip.Total != 2 || ip.LastSeen != "2026-11-27T11:34:49Z" || len(ip.Reasons) == 0 {
				t.Errorf("botnet row %+v", ip)
			}
		case "192.0.2.44":
			if ip.Delivered != 1 || ip.Hostname != "mx.example.net" {
				t.Errorf("legit row %+v", ip)
			}
		}
	}
	want := map[string]string{"203.0.113.7": "botnet", "198.51.100.9": "scanner", "192.0.2.44": "legit", "172.19.0.1": "ignored"}
	for ip, v := range want {
		if got[ip] != v {
			t.Errorf("%s: verdict %q, want %q", ip, got[ip], v)
		}
	}
	if _, ok := got["6.6.6.6"]; ok || len(got) != len(want) {
		t.Errorf("unexpected IPs: %v", got)
	}
}

func TestReport_TableFooterAndUnmatched(t *testing.T) {
	code, out, _ := runReport(t, fixture, "report", "--unmatched", "-")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"203.0.113.7", "botnet", "pregreet:2",
		"11 lines read, 10 mail-daemon lines, 3 attack events, 1 lines no rule recognised",
		"postfix/smtpd: this shape is new to mxtop N"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestReport_EscapesAttackerText(t *testing.T) {
	line := "2026-11-27T11:34:48+00:00 mail postfix/smtpd[2]: NOQUEUE: reject: RCPT from unknown[203.0.113.8]: 554 5.7.1 <a@b>: Relay access denied; from=<a@b> to=<a@b> proto=ESMTP helo=<x\x1b]52;c;AAAA\x07\x1b[2J>\n"
	for _, format := range []string{"table", "csv"} {
		_, out, _ := runReport(t, line, "report", "--format", format, "-")
		if strings.ContainsAny(out, "\x1b\x07") {
			t.Errorf("%s output carries raw control bytes: %q", format, out)
		}
	}
}

func TestErrors_OneLineAndExitCodes(t *testing.T) {
	code, _, errs := runReport(t, "", "report", "/nonexistent/mail.log")
	if code != 1 || strings.Count(strings.TrimSpace(errs), "\n") != 0 || !strings.Contains(errs, "/nonexistent/mail.log") {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runReport(t, "", "report", "--format", "yaml", "-")
	if code != 2 || !strings.Contains(errs, "format") {
		t.Errorf("bad flag: exit %d, stderr %q", code, errs)
	}
	code, _, _ = runReport(t, "", "report", "--whitelist", "not-a-cidr", "-")
	if code != 2 {
		t.Errorf("bad CIDR: exit %d", code)
	}
}

func TestExplain_SaysWhy(t *testing.T) {
	code, out, _ := runReport(t, "", "explain", `Nov 27 10:00:01 mail dovecot: auth: passwd-file(admin,203.0.113.1): unknown user`)
	if code != 0 || !strings.Contains(out, "client:    203.0.113.1") || !strings.Contains(out, "echoes an attempt") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// TestConfigExample_Loads: the shipped example config is valid (every key names a flag) and its
// values reach the commands.
func TestConfigExample_Loads(t *testing.T) {
	code, out, errs := runReport(t, fixture, "--config", "config.example.toml", "report", "--format", "json", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// The example whitelists 192.0.2.0/24, so the legit sender becomes ignored.
	if !strings.Contains(out, `"ip": "192.0.2.44",
      "verdict": "ignored"`) {
		t.Fatalf("whitelist from config not applied:\n%s", out)
	}
}

func TestConfig_UnknownKeyIsAnError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(p, []byte("whitelsit = [\"1.2.3.4\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runReport(t, "", "--config", p, "report", "-")
	if code == 0 || !strings.Contains(errs, "whitelsit") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

// TestTable_MatchesTabwriter: the report's table lays cells out exactly as text/tabwriter with
// padding 2 did, for random cells with multi-byte runes, empty cells and a ragged last column.
func TestTable_MatchesTabwriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	words := []string{"", "a", "203.0.113.7", "botnet", "münchen.example / ÄÖÜ", "pregreet:12 hangup:3", "…", "2026-11-27T10:00:01Z"}
	for trial := 0; trial < 200; trial++ {
		var tb table
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
		for r := rng.IntN(6); r >= 0; r-- {
			cells := make([]string, tableCols)
			for i := range cells {
				cells[i] = words[rng.IntN(len(words))]
			}
			tb.row(cells...)
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		tb.write(bw, 2)
		bw.Flush()
		if got.String() != want.String() {
			t.Fatalf("table:\n%s\ntabwriter:\n%s", got.String(), want.String())
		}
	}
}

// referenceJSON is the report document as encoding/json writes it: what writeJSON must equal.
func referenceJSON(t *testing.T, core *engine.Core, rows []*engine.Row) string {
	t.Helper()
	n := core.Counters()
	out := reportJSON{Lines: n.Lines, MailLines: n.MailLines, Events: n.Events, Unmatched: n.Unmatched, IPs: make([]ipJSON, 0, len(rows))}
	for _, r := range rows {
		out.IPs = append(out.IPs, ipJSON{
			IP: r.IP.String(), Verdict: r.Verdict.String(), Reasons: r.Reasons, Total: r.Total,
			Categories: engine.CategoryCounts(r.Counts), Hostname: r.Host, Helo: r.Helo,
			Delivered: r.Delivered, Logins: r.Logins,
			FirstSeen: rfc3339(r.FirstSeen), LastSeen: rfc3339(r.LastSeen),
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestWriteJSON_MatchesEncodingJSON: the hand-written report document is byte for byte what
// encoding/json writes, for the demo's IPs (every verdict, IPv6, empty and full category maps),
// for rows with nil and empty reasons, and for no rows at all.
func TestWriteJSON_MatchesEncodingJSON(t *testing.T) {
	core := engine.NewCore(classify.Config{}, store.Limits{})
	g := demo.New(3, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	var log []byte
	for range 20000 {
		log = g.Append(log)
	}
	var lines []source.Line
	for l := range bytes.Lines(log) {
		lines = append(lines, source.Line{Text: bytes.TrimSuffix(l, []byte("\n"))})
	}
	core.Ingest(source.Batch{Lines: lines})
	rows := core.Rows()
	odd := *rows[0]
	odd.Reasons, odd.Host, odd.Helo = nil, "a<b>&\u2028\"\\\x01\x7f\xff\t", "ü\u2029"
	empty := *rows[1]
	empty.Reasons, empty.Counts, empty.FirstSeen = []string{}, [parse.NumCategories]int64{}, time.Time{}
	rows = append(rows, &odd, &empty)
	for _, rs := range [][]*engine.Row{rows, nil} {
		var got bytes.Buffer
		if err := writeJSON(&got, core, rs); err != nil {
			t.Fatal(err)
		}
		if want := referenceJSON(t, core, rs); got.String() != want {
			i := 0
			for i < len(want) && i < got.Len() && want[i] == got.Bytes()[i] {
				i++
			}
			t.Fatalf("%d rows: differs at byte %d: got %q, want %q", len(rs), i, got.String()[max(0, i-40):min(got.Len(), i+40)], want[max(0, i-40):min(len(want), i+40)])
		}
	}
}

// TestAppendJSONString_MatchesMarshal: strings are escaped as json.Marshal escapes them, over
// every single byte and random mixes of ASCII, HTML, control, multi-byte and invalid bytes.
func TestAppendJSONString_MatchesMarshal(t *testing.T) {
	check := func(s string) {
		t.Helper()
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
	for c := range 256 {
		check(string([]byte{byte(c)}))
		check("a" + string([]byte{byte(c)}) + "b")
	}
	pieces := []string{"a", "<", ">", "&", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "ü", "\u2028", "\u2029", "\xff", "\xe2\x80", "€", "\U0001F600", "\ufffd"}
	rng := rand.New(rand.NewPCG(11, 12))
	for range 20000 {
		var sb strings.Builder
		for k := rng.IntN(8); k >= 0; k-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		check(sb.String())
	}
}
