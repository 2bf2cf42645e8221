// Package testpolicy holds tests of the repository's tests: rules of the
// house no single package can check for itself (no unit test depends on
// the machine's speed).
package testpolicy
