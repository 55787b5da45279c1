package tools

import "testing"

// TestArgKeys checks that every exported argument key is a property of
// at least one tool's schema, so that callers' constants cannot drift
// from the schemas.
func TestArgKeys(t *testing.T) {
	props := map[string]bool{}
	for _, e := range Catalog(Config{}) {
		if p, ok := e.Tool.Parameters()["properties"].(map[string]any); ok {
			for k := range p {
				props[k] = true
			}
		}
	}
	for _, k := range ArgKeys {
		if !props[k] {
			t.Errorf("argument key %q is no tool's schema property", k)
		}
	}
}
