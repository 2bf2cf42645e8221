package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"codebench/codesets"
	"codebench/encounter/exporter"
	"codebench/encounter/x12"
)

// Default837PConfig is the 837P envelope file in the data directory.
const Default837PConfig = "837p.json"

// formatFlags are the export format flags every command that exports
// takes: the document kind and, for the 837P, the envelope file.
type formatFlags struct {
	format, envelope string
}

func (f *formatFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "", "document on the billing queue: fhir (FHIR R4 Bundle) or 837p (X12 837P 005010X222A1) (default: $CODEBENCH_FORMAT, else fhir)")
	fs.StringVar(&f.envelope, "x12-envelope", "", "837P submitter, receiver and ISA ids, JSON (default: $CODEBENCH_837P, else 837p.json in the data directory)")
}

// configure sets x's format and, for the 837P, loads its envelope.
func (f formatFlags) configure(x *exporter.Exporter) error {
	name := f.format
	if name == "" {
		name = os.Getenv("CODEBENCH_FORMAT")
	}
	format, err := exporter.ParseFormat(name)
	if err != nil {
		return err
	}
	x.Format = format
	if format != exporter.Format837P {
		return nil
	}
	path := f.envelope
	if path == "" {
		path = os.Getenv("CODEBENCH_837P")
	}
	if path == "" {
		data, err := codesets.DataDir()
		if err != nil {
			return err
		}
		path = filepath.Join(data, Default837PConfig)
	}
	env, err := x12.LoadEnvelope(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the 837P format needs its envelope (submitter, receiver, ISA ids): write %s or pass --x12-envelope (see README.md, 837P)", path)
	}
	if err != nil {
		return err
	}
	x.Envelope = &env
	return nil
}
