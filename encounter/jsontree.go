package encounter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// jnode is one JSON value with the byte offset it starts at, so every
// problem found while reading a file can name its line. Objects keep their
// keys in file order; a repeated key is an error (encoding/json would keep
// the last one silently).
type jnode struct {
	kind  jkind
	off   int64
	str   string      // string
	num   json.Number // number
	b     bool        // bool
	keys  []string    // object
	vals  []*jnode    // object values, parallel to keys
	items []*jnode    // array
}

type jkind byte

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jkind) String() string {
	return [...]string{"null", "true/false", "a number", "a string", "an array", "an object"}[k]
}

// Bounds on the tree, checked as it is read so that a hostile file (a 2 MB
// array of a million empty objects) is refused before it costs memory: an
// encounter is four levels deep, its longest list has 100 items, and a
// real file has a few thousand values.
const (
	maxDepth     = 32
	maxMembers   = 1000   // items of one array, keys of one object
	maxTreeNodes = 100000 // values in the whole file
)

// syntaxError is malformed JSON at a byte offset.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// parseTree reads one JSON value and nothing after it.
func parseTree(data []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	nodes := 0
	n, err := parseValue(dec, 0, &nodes)
	if err != nil {
		return nil, err
	}
	off := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		return nil, &syntaxError{off: off + int64(len(leadingSpace(data[off:]))), msg: "unexpected data after the top-level object"}
	}
	return n, nil
}

func leadingSpace(b []byte) []byte {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return b[:i]
}

func parseValue(dec *json.Decoder, depth int, nodes *int) (*jnode, error) {
	off := dec.InputOffset()
	tok, err := dec.Token()
	if err != nil {
		return nil, tokenError(err, off)
	}
	return parseFrom(dec, tok, off, depth, nodes)
}

func parseFrom(dec *json.Decoder, tok json.Token, off int64, depth int, nodes *int) (*jnode, error) {
	if depth > maxDepth {
		return nil, &syntaxError{off: off, msg: fmt.Sprintf("nested deeper than %d levels", maxDepth)}
	}
	if *nodes++; *nodes > maxTreeNodes {
		return nil, &syntaxError{off: off, msg: fmt.Sprintf("more than %d values in one file; an encounter has a few thousand at most", maxTreeNodes)}
	}
	switch v := tok.(type) {
	case nil:
		return &jnode{kind: jNull, off: off}, nil
	case bool:
		return &jnode{kind: jBool, off: off, b: v}, nil
	case json.Number:
		return &jnode{kind: jNumber, off: off, num: v}, nil
	case string:
		return &jnode{kind: jString, off: off, str: v}, nil
	case json.Delim:
		switch v {
		case '[':
			n := &jnode{kind: jArray, off: off}
			for dec.More() {
				if len(n.items) == maxMembers {
					return nil, &syntaxError{off: dec.InputOffset(), msg: fmt.Sprintf("an array of more than %d items; no list in an encounter has more than %d", maxMembers, maxListItems)}
				}
				item, err := parseValue(dec, depth+1, nodes)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, item)
			}
			if _, err := dec.Token(); err != nil {
				return nil, tokenError(err, dec.InputOffset())
			}
			return n, nil
		case '{':
			n := &jnode{kind: jObject, off: off}
			seen := map[string]bool{}
			for dec.More() {
				if len(n.keys) == maxMembers {
					return nil, &syntaxError{off: dec.InputOffset(), msg: fmt.Sprintf("an object with more than %d keys", maxMembers)}
				}
				koff := dec.InputOffset()
				kt, err := dec.Token()
				if err != nil {
					return nil, tokenError(err, koff)
				}
				key, _ := kt.(string)
				if seen[key] {
					return nil, &syntaxError{off: koff, msg: fmt.Sprintf("key %q appears twice in one object", key)}
				}
				seen[key] = true
				val, err := parseValue(dec, depth+1, nodes)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, tokenError(err, dec.InputOffset())
			}
			return n, nil
		}
	}
	return nil, &syntaxError{off: off, msg: fmt.Sprintf("unexpected %v", tok)}
}

func tokenError(err error, off int64) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &syntaxError{off: se.Offset, msg: "malformed JSON: " + se.Error()}
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{off: off, msg: "malformed JSON: the file ends in the middle of a value"}
	}
	return &syntaxError{off: off, msg: "malformed JSON: " + err.Error()}
}

// lineOf turns a byte offset into a 1-based line number.
func lineOf(data []byte, off int64) int {
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte{'\n'}) + 1
}
