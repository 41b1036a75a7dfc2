package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/alecthomas/kong"
)

// tomlLoader reads the TOML config file into a kong resolver. A key is a flag's name with dashes
// turned into underscores (`no_default_whitelist = true`); a key may also sit in a table named
// after its command (`[report]` `top = 50`). Unknown keys are an error, so a typo in the config
// is reported instead of silently ignored.
func tomlLoader(r io.Reader) (kong.Resolver, error) {
	values := map[string]any{}
	if _, err := toml.NewDecoder(r).Decode(&values); err != nil {
		return nil, err
	}
	return tomlResolver(values), nil
}

type tomlResolver map[string]any

func configKey(flag *kong.Flag) string { return strings.ReplaceAll(flag.Name, "-", "_") }

// Resolve returns the config value for flag: the command's table first, then the top level.
func (t tomlResolver) Resolve(_ *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
	key := configKey(flag)
	if parent != nil && parent.Command != nil {
		if table, ok := t[parent.Command.Name].(map[string]any); ok {
			if v, ok := table[key]; ok {
				return v, nil
			}
		}
	}
	if v, ok := t[key]; ok {
		if _, isTable := v.(map[string]any); !isTable {
			return v, nil
		}
	}
	return nil, nil
}

// Validate rejects keys that name no flag.
func (t tomlResolver) Validate(app *kong.Application) error {
	global := map[string]bool{}
	perCmd := map[string]map[string]bool{}
	_ = kong.Visit(app.Node, func(v kong.Visitable, next kong.Next) error {
		node, ok := v.(*kong.Node)
		if !ok {
			return next(nil)
		}
		for _, f := range node.Flags {
			global[configKey(f)] = true
		}
		if node.Type == kong.CommandNode {
			known := map[string]bool{}
			for _, group := range node.AllFlags(false) {
				for _, f := range group {
					known[configKey(f)] = true
				}
			}
			perCmd[node.Name] = known
		}
		return next(nil)
	})
	var bad []string
	for k, v := range t {
		table, isTable := v.(map[string]any)
		switch {
		case !isTable && !global[k]:
			bad = append(bad, k)
		case isTable && perCmd[k] == nil:
			bad = append(bad, "["+k+"]")
		case isTable:
			for kk := range table {
				if !perCmd[k][kk] {
					bad = append(bad, k+"."+kk)
				}
			}
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("config: unknown key(s) %s", strings.Join(bad, ", "))
	}
	return nil
}
