package jsonfile

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDecodeRecord(t *testing.T) {
	ts := "2026-11-27T12:00:01.123456789Z"
	want := time.Date(2026, 11, 27, 12, 0, 1, 123456789, time.UTC)
	cases := []struct {
		name, rec, text string
		ok              bool
	}{
		{"plain", `{"log":"hello world\n","stream":"stdout","time":"` + ts + `"}`, "hello world", true},
		{"time first", `{"time":"` + ts + `","stream":"stderr","log":"x\n"}`, "x", true},
		{"attrs object skipped", `{"log":"a\n","stream":"stdout","attrs":{"tag":"m\"x","n":[1,{"y":null}]},"time":"` + ts + `"}`, "a", true},
		{"escapes", `{"log":"q\" b\\ s\/ n\n r\r t\t b\b f\f <\u003c>\u003e\n","time":"` + ts + `"}`, "q\" b\\ s/ n\n r\r t\t b\b f\f <<>>", true},
		{"surrogate pair", `{"log":"\ud83d\udce7 mail\n","time":"` + ts + `"}`, "\U0001F4E7 mail", true},
		{"lone high surrogate", `{"log":"\ud83d x\n","time":"` + ts + `"}`, "\uFFFD x", true},
		{"lone low surrogate", `{"log":"\udce7\n","time":"` + ts + `"}`, "\uFFFD", true},
		{"high then non-low", `{"log":"\ud83d\u0041\n","time":"` + ts + `"}`, "\uFFFDA", true},
		{"raw invalid utf8 passes", "{\"log\":\"bad \xff\xfe\\n\",\"time\":\"" + ts + "\"}", "bad \xff\xfe", true},
		{"raw utf8", `{"log":"Grüße\n","time":"` + ts + `"}`, "Grüße", true},
		{"partial has no newline", `{"log":"part","time":"` + ts + `"}`, "part", true},
		{"spaces", ` { "log" : "s\n" , "time" : "` + ts + `" } `, "s", true},
		{"truncated", `{"log":"hello wor`, "", false},
		{"truncated after log", `{"log":"hello\n","stream":"std`, "", false},
		{"no time", `{"log":"hello\n"}`, "", false},
		{"bad time", `{"log":"hello\n","time":"yesterday"}`, "", false},
		{"no log", `{"stream":"stdout","time":"` + ts + `"}`, "", false},
		{"log not string", `{"log":12,"time":"` + ts + `"}`, "", false},
		{"bad escape", `{"log":"a\qb","time":"` + ts + `"}`, "", false},
		{"bad hex", `{"log":"\u12G4","time":"` + ts + `"}`, "", false},
		{"not json", `Nov 27 12:00:01 mail postfix/smtpd[1]: connect`, "", false},
		{"empty", ``, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dst := []byte("prefix:")
			got, gotTS, ok := DecodeRecord([]byte(c.rec), dst)
			if ok != c.ok {
				t.Fatalf("ok = %v, want %v", ok, c.ok)
			}
			if !ok {
				if string(got) != "prefix:" {
					t.Fatalf("failed decode changed dst to %q", got)
				}
				return
			}
			if string(got) != "prefix:"+c.text {
				t.Fatalf("text = %q, want %q", got[7:], c.text)
			}
			if !gotTS.Equal(want) {
				t.Fatalf("time = %v, want %v", gotTS, want)
			}
		})
	}
}

func TestParseRFC3339_MatchesTimePackage(t *testing.T) {
	for _, s := range []string{
		"2026-11-27T12:00:01Z", "2026-11-27T12:00:01.1Z", "2026-11-27T12:00:01.123456789Z",
		"2026-02-28T23:59:59.000000001Z", "2026-11-27T12:00:01.5+02:00", "2026-11-27T01:00:01.5-05:30",
		"2024-02-29T00:00:00Z",
	} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := ParseTime([]byte(s))
		if !ok || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "2026-11-27", "2026-11-27T12:00:01", "2026-13-27T12:00:01Z", "2026-11-27T12:00:01.Z", "2026-11-27T12:00:01ZZ", "2026-11-27T12:00:01+0200"} {
		if _, ok := ParseTime([]byte(s)); ok {
			t.Errorf("ParseTime(%q) accepted", s)
		}
	}
}

// record builds a json-file record the way dockerd does (encoding/json escapes).
func record(t testing.TB, log string, ts time.Time) []byte {
	t.Helper()
	b, err := json.Marshal(struct {
		Log    string `json:"log"`
		Stream string `json:"stream"`
		Time   string `json:"time"`
	}{log, "stdout", ts.UTC().Format(time.RFC3339Nano)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecoder_JoinsSplitLinesAndSkipsGarbage(t *testing.T) {
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	long := strings.Repeat("0123456789abcdef", 2048) // 32 KiB: Docker writes it as 2 records + the "\n" end
	recs := [][]byte{
		record(t, "first\n", t0),
		record(t, long[:16384], t0.Add(time.Second)),
		[]byte(`{"log":"garbage in the midd`), // a truncated record between two pieces
		record(t, long[16384:], t0.Add(2*time.Second)),
		record(t, "\n", t0.Add(3*time.Second)),
		record(t, "crlf\r\n", t0.Add(4*time.Second)),
		record(t, strings.Repeat("z", DefaultMax+10)+"\n", t0.Add(5*time.Second)),
		record(t, "tail", t0.Add(6*time.Second)),
	}
	var d Decoder
	var got []string
	var times []time.Time
	for _, r := range recs {
		if line, ts, ok := d.Decode(r, nil); ok {
			got, times = append(got, string(line)), append(times, ts)
		}
	}
	if line, ts, ok := d.Flush(nil); ok {
		got, times = append(got, string(line)), append(times, ts)
	}
	want := []string{"first", long, "crlf", strings.Repeat("z", DefaultMax), "tail"}
	wantT := []time.Time{t0, t0.Add(time.Second), t0.Add(4 * time.Second), t0.Add(5 * time.Second), t0.Add(6 * time.Second)}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] || !times[i].Equal(wantT[i]) {
			t.Errorf("line %d: len %d at %v, want len %d at %v", i, len(got[i]), times[i], len(want[i]), wantT[i])
		}
	}
	if d.Skipped != 1 || d.Truncated != 1 {
		t.Fatalf("Skipped=%d Truncated=%d, want 1 and 1", d.Skipped, d.Truncated)
	}
}

func TestDecoder_SplitLineBeyondMaxIsBounded(t *testing.T) {
	var d Decoder
	t0 := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	piece := strings.Repeat("p", 16384)
	for range 64 { // a 1 MiB line in 16 KiB pieces
		if _, _, ok := d.Decode(record(t, piece, t0), nil); ok {
			t.Fatal("piece completed a line")
		}
		if cap(d.pend) > 2*DefaultMax+16384 {
			t.Fatalf("pending buffer grew to %d", cap(d.pend))
		}
	}
	line, _, ok := d.Decode(record(t, "end\n", t0), nil)
	if !ok || len(line) != DefaultMax || d.Truncated != 1 {
		t.Fatalf("ok=%v len=%d truncated=%d", ok, len(line), d.Truncated)
	}
}

func TestLooksLike(t *testing.T) {
	if !LooksLike(record(t, "x\n", time.Now())) {
		t.Error("record not recognised")
	}
	if LooksLike([]byte("Nov 27 12:00:01 mail postfix/smtpd[1]: connect from x")) {
		t.Error("syslog line taken for a record")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	ts := time.Date(2026, 11, 27, 12, 0, 1, 5, time.UTC)
	f.Add(string(record(f, "hello\n", ts)))
	f.Add(`{"log":"\ud83d\udce7 \u003c\n","stream":"stdout","attrs":{"a":[1,2]},"time":"2026-11-27T12:00:01Z"}`)
	f.Add(`{"log":"\ud83d","time":"2026-11-27T12:00:01.5+01:00"}`)
	f.Add(`{"log":"a\`)
	f.Fuzz(func(t *testing.T, rec string) {
		got, gotTS, ok := DecodeRecord([]byte(rec), nil)
		if !ok || !utf8.ValidString(rec) {
			return // encoding/json would replace invalid UTF-8; we pass it through on purpose
		}
		var v struct {
			Log  *string `json:"log"`
			Time *string `json:"time"`
		}
		if err := json.Unmarshal([]byte(rec), &v); err != nil {
			// We are more lenient than encoding/json only where it does not matter here
			// (unknown values are skipped structurally). Never on the log text itself.
			return
		}
		if v.Log == nil || v.Time == nil {
			t.Fatalf("accepted a record encoding/json sees without log/time: %q", rec)
		}
		if want := strings.TrimSuffix(*v.Log, "\n"); string(got) != want {
			t.Fatalf("text %q, encoding/json says %q (record %q)", got, want, rec)
		}
		if wt, err := time.Parse(time.RFC3339Nano, *v.Time); err == nil && !wt.Equal(gotTS) {
			t.Fatalf("time %v, time.Parse says %v", gotTS, wt)
		}
	})
}

func BenchmarkDecodeRecord(b *testing.B) {
	ts := time.Date(2026, 11, 27, 12, 0, 1, 123456789, time.UTC)
	rec := record(b, "Nov 27 12:00:01 mail postfix/smtpd[1234]: warning: unknown[203.0.113.7]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n", ts)
	dst := make([]byte, 0, 256)
	b.SetBytes(int64(len(rec)))
	b.ReportAllocs()
	for b.Loop() {
		text, _, ok := DecodeRecord(rec, dst[:0])
		if !ok || len(text) == 0 {
			b.Fatal("decode failed")
		}
	}
}

func TestParseTime_AgreesWithTimePackageOverManyDates(t *testing.T) {
	for ts := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC); ts.Year() < 2101; ts = ts.Add(1234567*time.Second + 891011) {
		s := ts.Format(time.RFC3339Nano)
		got, ok := ParseTime([]byte(s))
		if !ok || !got.Equal(ts) {
			t.Fatalf("ParseTime(%q) = %v, %v", s, got, ok)
		}
	}
	got, ok := ParseTime([]byte("2026-02-30T00:00:00Z")) // rolls over like time.Date
	if !ok || !got.Equal(time.Date(2026, 2, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("Feb 30: %v %v", got, ok)
	}
}
