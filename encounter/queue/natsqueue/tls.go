package natsqueue

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/nats-io/nats.go"
)

// TLS settings of a queue (URL parameters tls_ca, tls_cert, tls_key).
// With any of them the connection must be TLS and the server's
// certificate is verified (against TLSCA if given, else the system's
// authorities); TLSCert and TLSKey present a client certificate.
type TLS struct {
	CA, Cert, Key string
}

func (t TLS) enabled() bool { return t.CA != "" || t.Cert != "" || t.Key != "" }

func (t TLS) validate() error {
	if (t.Cert == "") != (t.Key == "") {
		return fmt.Errorf("tls_cert and tls_key go together")
	}
	for name, f := range map[string]string{"tls_ca": t.CA, "tls_cert": t.Cert, "tls_key": t.Key} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// config builds the client's TLS configuration from the files.
func (t TLS) config() (*tls.Config, error) {
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return nil, fmt.Errorf("tls_ca: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls_ca %s: no PEM certificate in it", t.CA)
		}
	}
	if t.Cert != "" {
		cert, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return nil, fmt.Errorf("tls_cert/tls_key: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// tlsOptions are the connection options for o's TLS settings.
func (o Options) tlsOptions() ([]nats.Option, error) {
	if !o.TLS.enabled() {
		return nil, nil
	}
	c, err := o.TLS.config()
	if err != nil {
		return nil, err
	}
	return []nats.Option{nats.Secure(c)}, nil
}
