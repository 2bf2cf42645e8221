package codesets

// The shape of an ICD-10-CM code: a letter; then two letters or digits, at
// least one of them a digit (E11, K6A, C4A and, since FY2027, QA1); then
// up to four letters or digits (K31.B, K74.0A, Z87.8901), with the dot
// after the third character optional. Every code of FY2026 and FY2027 has
// a digit in the second or third place; requiring one keeps capitalised
// words of note texts ("NOS", "HIV") from reading as codes.
//
// ICD10CMPattern is that shape as a regular expression over a typed code
// (either case, dot optional). The JSON Schema of encounters states it too.
const ICD10CMPattern = `^[A-Za-z]([0-9][0-9A-Za-z]|[A-Za-z][0-9])(\.?[0-9A-Za-z]{1,4})?$`

// ICD10CMShaped tells whether a canonical spelling ("QA171", "E1165") has
// the shape of an ICD-10-CM code. Whether it is one is for a release to say.
func ICD10CMShaped(code string) bool {
	n := len(code)
	if n < 3 || n > 7 || !isUpper(code[0]) || !(isDigit(code[1]) || isDigit(code[2])) {
		return false
	}
	for i := 1; i < n; i++ {
		if !isDigit(code[i]) && !isUpper(code[i]) {
			return false
		}
	}
	return true
}

// ICD10CMPrefixShaped tells whether a canonical spelling could begin an
// ICD-10-CM code: a letter alone, a letter and a letter or digit ("E1",
// "QA"), or a whole code shape. Code-prefix search uses it.
func ICD10CMPrefixShaped(code string) bool {
	switch n := len(code); {
	case n == 0:
		return false
	case n == 1:
		return isUpper(code[0])
	case n == 2:
		return isUpper(code[0]) && (isDigit(code[1]) || isUpper(code[1]))
	}
	return ICD10CMShaped(code)
}

func isUpper(b byte) bool { return b >= 'A' && b <= 'Z' }
