package har

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// TestBoundNesting checks maxDepth: a value under a key the reader skips,
// nested far deeper than the bound, is refused with an error, not followed.
func TestBoundNesting(t *testing.T) {
	deep := func(n int) string {
		return strings.Repeat("[", n) + strings.Repeat("]", n)
	}
	doc := func(n int) []byte {
		return []byte(`{"log": {"version": "1.2", "x": ` + deep(n) + `, "entries": []}}`)
	}
	if _, err := Parse(doc(maxDepth)); err != nil {
		t.Fatalf("%d levels: %v", maxDepth, err)
	}
	if _, err := Parse(doc(10 * maxDepth)); !errors.Is(err, wire.ErrUnsupported) {
		t.Fatalf("%d levels: %v", 10*maxDepth, err)
	}
}

// TestBoundEntries checks MaxEntries: the entries beyond it are counted,
// not kept.
func TestBoundEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("11 MB of JSON")
	}
	entry := `{"request": {"method": "GET", "url": "http://a/", "headers": []}, "response": {"status": 200, "headers": []}}`
	var b strings.Builder
	b.WriteString(`{"log": {"entries": [`)
	for i := range MaxEntries + 5 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(entry)
	}
	b.WriteString(`]}}`)
	l, err := Parse([]byte(b.String()))
	if err != nil || len(l.Entries) != MaxEntries || l.Dropped != 5 {
		t.Fatalf("%v: %d entries, %d dropped", err, len(l.Entries), l.Dropped)
	}
}
