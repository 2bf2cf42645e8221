package dataimport

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"codebench/codesets"
)

// Limits of what an import reads: official files are at most a few tens
// of MB (the NCCI PTP parts together about 100 MB uncompressed).
const (
	maxFileBytes    = 256 << 20 // a file given
	maxMemberBytes  = 192 << 20 // one zip member, uncompressed
	maxTotalBytes   = 512 << 20 // all members of one import, uncompressed
	maxMembers      = 200
	maxCompressRate = 200 // uncompressed / compressed beyond which a member is a zip bomb
)

// File is a file given to an import, or one member of a zip given.
type File struct {
	Given  string // the path as given
	Member string // the member's name inside the zip; empty for a plain file
	Data   []byte
	Raw    []byte // the file as given (the whole zip for a member), kept for provenance
	SHA256 string // of the file as given (the whole zip for a member)
	Bytes  int64  // size of the file as given
}

// Name is how messages name the file: "cms.zip:member.txt".
func (f File) Name() string {
	if f.Member != "" {
		return path.Base(f.Given) + ":" + f.Member
	}
	return path.Base(f.Given)
}

// Base is the file's own name, the member's for a zip member.
func (f File) Base() string {
	if f.Member != "" {
		return path.Base(f.Member)
	}
	return path.Base(f.Given)
}

func (f File) record() codesets.ImportFile {
	return codesets.ImportFile{Name: path.Base(f.Given), Member: f.Member, SHA256: f.SHA256, Bytes: f.Bytes}
}

// readInputs reads the files given: text files as they are, zips member
// by member (directories and Mac resource forks left out).
func readInputs(paths []string) ([]File, error) {
	var out []File
	var total int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", codesets.Quote(p, 200))
		}
		if st.Size() > maxFileBytes {
			return nil, fmt.Errorf("%s: %d MB, larger than any official file (%d MB)", codesets.Quote(p, 200), st.Size()>>20, maxFileBytes>>20)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(data)
		given := File{Given: p, Data: data, Raw: data, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}
		if !isZip(data) {
			total += int64(len(data))
			out = append(out, given)
			continue
		}
		members, err := unzip(given)
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			total += int64(len(m.Data))
		}
		out = append(out, members...)
		if total > maxTotalBytes {
			return nil, fmt.Errorf("the files given hold more than %d MB: not one release", maxTotalBytes>>20)
		}
	}
	return out, nil
}

// isZip tells a zip by its first bytes: a local file header, or the end
// of the central directory of an empty zip.
func isZip(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
}

// isXLSX tells whether a zip is an Excel workbook.
func isXLSX(zr *zip.Reader) bool {
	for _, f := range zr.File {
		if f.Name == "xl/workbook.xml" {
			return true
		}
	}
	return false
}

// unzip reads the members of a zip into memory, refusing what no
// official zip holds: too many members, members too large or compressed
// past reason (a zip bomb), nested zips; a workbook is refused with the
// way out.
func unzip(z File) ([]File, error) {
	zr, err := zip.NewReader(bytes.NewReader(z.Data), int64(len(z.Data)))
	if err != nil {
		return nil, fmt.Errorf("%s: not a readable zip: %v", codesets.Quote(z.Name(), 200), err)
	}
	if isXLSX(zr) {
		return nil, fmt.Errorf("%s is an Excel workbook: codebench reads the text files CMS and CDC publish; open it and save it as CSV (or tab-separated text), then import that", codesets.Quote(z.Name(), 200))
	}
	if len(zr.File) > maxMembers {
		return nil, fmt.Errorf("%s: %d members, more than an official zip holds (%d)", codesets.Quote(z.Name(), 200), len(zr.File), maxMembers)
	}
	var out []File
	var total int64
	for _, f := range zr.File {
		name := f.Name
		if f.FileInfo().IsDir() || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		where := codesets.Quote(path.Base(z.Given)+":"+name, 200)
		if f.UncompressedSize64 > maxMemberBytes {
			return nil, fmt.Errorf("%s: %d MB uncompressed, larger than any official file", where, f.UncompressedSize64>>20)
		}
		if f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxCompressRate {
			return nil, fmt.Errorf("%s: compressed %d to 1, which no text file is (a zip bomb?)", where, f.UncompressedSize64/f.CompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		// The header's sizes may lie: read no more than they allow.
		data, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", where, err)
		}
		if uint64(len(data)) != f.UncompressedSize64 {
			return nil, fmt.Errorf("%s: its size does not match the zip's directory: damaged zip", where)
		}
		if isZip(data) {
			return nil, fmt.Errorf("%s: a zip inside the zip: import the inner zip itself", where)
		}
		total += int64(len(data))
		if total > maxTotalBytes {
			return nil, fmt.Errorf("%s: more than %d MB uncompressed", codesets.Quote(z.Name(), 200), maxTotalBytes>>20)
		}
		out = append(out, File{Given: z.Given, Member: name, Data: data, Raw: z.Raw, SHA256: z.SHA256, Bytes: z.Bytes})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Member < out[j].Member })
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: an empty zip", codesets.Quote(z.Name(), 200))
	}
	return out, nil
}
