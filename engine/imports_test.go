package engine

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mxtop/mxtop/engine/parse"
	"github.com/mxtop/mxtop/engine/source"
)

// TestEngineIsHeadless enforces the layering rules: nothing under engine/ imports the UI toolkit
// or package ui, so the engine stays usable by report, ban and any other front end; and parse,
// store and classify stay pure (no Docker client, no exec, no firewall).
func TestEngineIsHeadless(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			pure := strings.HasPrefix(path, "parse/") || strings.HasPrefix(path, "store/") || strings.HasPrefix(path, "classify/")
			if pure && !strings.HasSuffix(path, "_test.go") && (strings.HasPrefix(p, "github.com/moby/") || p == "os/exec" ||
				p == "github.com/mxtop/mxtop/engine/source" || p == "github.com/mxtop/mxtop/engine/firewall") {
				t.Errorf("%s is pure but imports %s", path, p)
			}
			if strings.HasPrefix(p, "charm.land/") || strings.HasPrefix(p, "github.com/charmbracelet/") ||
				p == "github.com/mxtop/mxtop/ui" || strings.HasPrefix(p, "github.com/mxtop/mxtop/ui/") {
				t.Errorf("%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestParseCutsWhereSourcesCut: a line the sources deliver whole is parsed whole.
func TestParseCutsWhereSourcesCut(t *testing.T) {
	if parse.MaxLineBytes != source.MaxLineBytes {
		t.Fatalf("parse cuts at %d, sources at %d", parse.MaxLineBytes, source.MaxLineBytes)
	}
}
