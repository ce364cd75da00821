package vectorfile

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []Block
	}{
		{"empty", "", nil},
		{"comments only", "# a\n\n# b\n", nil},
		{"one", "# from x.pcap\nvector v1\nhex 0a0b\nk  v \n", []Block{
			{Name: "v1", Source: "from x.pcap", Lines: []Line{{"hex", "0a0b"}, {"k", " v "}}},
		}},
		{"comment carries over", "#  c1 \nvector a\nq x\n\nvector b\nq y\nq z\n# c2\nvector c\nbare\n", []Block{
			{Name: "a", Source: "c1", Lines: []Line{{"q", "x"}}},
			{Name: "b", Source: "c1", Lines: []Line{{"q", "y"}, {"q", "z"}}},
			{Name: "c", Source: "c2", Lines: []Line{{"bare", ""}}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := parse(t, tc.name, bufio.NewScanner(strings.NewReader(tc.in)))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestBlockAccessors(t *testing.T) {
	b := Block{Name: "v", Lines: []Line{{"hex", "00ff"}, {"msg", "a"}, {"msg", "b"}}}
	if v, ok := b.Get("msg"); !ok || v != "a" {
		t.Errorf("Get(msg) = %q, %v", v, ok)
	}
	if _, ok := b.Get("err"); ok {
		t.Error("Get(err) found a line")
	}
	if got := b.All("msg"); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("All(msg) = %q", got)
	}
	if got := b.All("err"); got != nil {
		t.Errorf("All(err) = %q", got)
	}
	if got := b.Hex(t, "hex"); !reflect.DeepEqual(got, []byte{0, 0xff}) {
		t.Errorf("Hex = %x", got)
	}
	if got := (Line{"q", "x y"}).String(); got != "q x y" {
		t.Errorf("String = %q", got)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vectors.txt")
	if err := os.WriteFile(path, []byte("# src\nvector one\nhex 01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got := Load(t, path)
	want := []Block{{Name: "one", Source: "src", Lines: []Line{{"hex", "01"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
