package source

import (
	"time"

	"github.com/mxtop/mxtop/engine/source/jsonfile"
)

// DecodeJSONFileRecord decodes one record of Docker's json-file log: it appends the unescaped
// "log" value, without its trailing newline, to dst and returns it with the record's "time". See
// package jsonfile, which holds the decoder without the Docker client's dependencies (import that
// one from packages that must stay pure, such as engine/parse).
func DecodeJSONFileRecord(rec []byte, dst []byte) (text []byte, ts time.Time, ok bool) {
	return jsonfile.DecodeRecord(rec, dst)
}

// DecodeJSONFileRecordPart is DecodeJSONFileRecord that also reports a partial record (a piece of
// a line Docker split at 16 KiB).
func DecodeJSONFileRecordPart(rec []byte, dst []byte) (text []byte, ts time.Time, partial, ok bool) {
	return jsonfile.DecodeRecordPart(rec, dst)
}

// JSONFileDecoder joins split records into lines; its zero value cuts lines at MaxLineBytes.
type JSONFileDecoder = jsonfile.Decoder

// LooksLikeJSONFile reports whether line looks like a json-file record.
func LooksLikeJSONFile(line []byte) bool { return jsonfile.LooksLike(line) }

// parseRFC3339 parses Docker's RFC3339Nano timestamps.
func parseRFC3339(b []byte) (time.Time, bool) { return jsonfile.ParseTime(b) }
