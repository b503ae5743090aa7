// Package failclosed proves, for every implemented check, that the scanner
// fails closed: when any one API operation a check calls answers
// AccessDenied, the resources that operation concerns are reported as error
// (or as the specification's own "could not be evaluated" yellow), never as
// green and never dropped. The operations come from the API-call recorder
// watching a real scan of the seeded demo account, not from a hand-kept list,
// so a check that starts calling a new operation is covered automatically.
//
// The package holds only tests.
package failclosed
