package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// JSON writes the report as the indented JSON document of the contract.
//
// It writes the same bytes as encoding/json would for the whole Report
// (two-space indent, no HTML escaping, a final newline), but one list
// element at a time, so that a report of a million messages is never held
// twice in memory as one document and then once more indented.
func JSON(w io.Writer, r *Report, _ RenderOptions) error {
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
	jw.enc = json.NewEncoder(&jw.elem)
	jw.enc.SetEscapeHTML(false)
	jw.enc.SetIndent("    ", "  ")

	jw.raw("{\n")
	jw.key("version")
	jw.value(r.Version)
	jw.raw(",\n")
	jw.key("captures")
	writeList(jw, r.Captures)
	jw.raw(",\n")
	jw.key("messages")
	writeList(jw, r.Messages)
	jw.raw(",\n")
	jw.key("flows")
	writeList(jw, r.Flows)
	jw.raw(",\n")
	jw.key("findings")
	writeList(jw, r.Findings)
	jw.raw(",\n")
	jw.key("anomalies")
	writeList(jw, r.Anomalies)
	if len(r.Frames) > 0 {
		jw.raw(",\n")
		jw.key("frames")
		writeList(jw, r.Frames)
	}
	jw.raw("\n}\n")
	if jw.err == nil {
		jw.err = jw.w.Flush()
	}
	if jw.err != nil {
		return fmt.Errorf("report: json: %w", jw.err)
	}
	return nil
}

// jsonWriter writes the top level of the report by hand and its values
// with encoding/json, keeping the first error.
type jsonWriter struct {
	w    *bufio.Writer
	enc  *json.Encoder // indents as at depth 2 (list elements)
	elem bytes.Buffer
	err  error
}

func (jw *jsonWriter) raw(s string) {
	if jw.err == nil {
		_, jw.err = jw.w.WriteString(s)
	}
}

// key writes `  "name": `.
func (jw *jsonWriter) key(name string) {
	jw.raw(`  "` + name + `": `)
}

// value writes v as encoding/json indents a list element of the report
// (or any value without line breaks), without the encoder's final newline.
func (jw *jsonWriter) value(v any) {
	if jw.err != nil {
		return
	}
	jw.elem.Reset()
	if jw.err = jw.enc.Encode(v); jw.err != nil {
		return
	}
	_, jw.err = jw.w.Write(bytes.TrimSuffix(jw.elem.Bytes(), []byte("\n")))
}

// writeList writes a top-level list: null when nil, [] when empty, else
// one element per line block, as encoding/json indents it.
func writeList[T any](jw *jsonWriter, list []T) {
	switch {
	case list == nil:
		jw.raw("null")
		return
	case len(list) == 0:
		jw.raw("[]")
		return
	}
	jw.raw("[\n")
	for i := range list {
		jw.raw("    ")
		jw.value(&list[i])
		if i < len(list)-1 {
			jw.raw(",\n")
		} else {
			jw.raw("\n")
		}
	}
	jw.raw("  ]")
}
