package har

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kerbtrace/kerbtrace/decode/internal/wire"
)

// maxDepth bounds the nesting skipValue follows.
const maxDepth = 10000

// expectDelim reads the next token and checks that it is delimiter want.
func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return tokenErr("json", dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return herr("json", dec.InputOffset(), wire.ErrMalformed, "want %q, have %v", string(want), tok)
	}
	return nil
}

// keyToken reads an object key.
func keyToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", tokenErr("json", dec, err)
	}
	s, ok := tok.(string)
	if !ok {
		return "", herr("json", dec.InputOffset(), wire.ErrMalformed, "want an object key, have %v", tok)
	}
	return s, nil
}

// skipValue reads past the next value without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return tokenErr("json", dec, err)
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
				if depth > maxDepth {
					return herr("json", dec.InputOffset(), wire.ErrUnsupported, "nesting deeper than %d", maxDepth)
				}
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// tokenErr classifies an error of the JSON decoder: the input ending is
// wire.ErrTruncated, anything else wire.ErrMalformed.
func tokenErr(field string, dec *json.Decoder, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return herr(field, dec.InputOffset(), wire.ErrTruncated, "%v", err)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return herr(field, se.Offset, wire.ErrMalformed, "%v", err)
	}
	// An I/O error of the reader: keep it, classified as truncation.
	return herr(field, dec.InputOffset(), wire.ErrTruncated, "%w", err)
}

// jsonErr is tokenErr for dec.Decode.
func jsonErr(field string, dec *json.Decoder, err error) error {
	return tokenErr(field, dec, err)
}

// herr builds a *wire.Error of kind (wire.ErrTruncated, ...) at offset off.
func herr(field string, off int64, kind error, format string, args ...any) error {
	return &wire.Error{Proto: "har", Field: field, Off: int(off), Err: fmt.Errorf("%w: "+format, append([]any{kind}, args...)...)}
}
