// Package failclosed proves, for every implemented check, that the scanner
// fails closed: when any one API operation a check calls answers
// AccessDenied, the resources that operation concerns are reported as error
// (or as the specification's own "could not be evaluated" yellow), never as
// green and never dropped. The operations come from the API-call recorder
// watching a real scan of the seeded demo account, not from a hand-kept list,
// so a check that starts calling a new operation is covered automatically.
// The same recording proves each check's declared IAM actions: every call is
// declared, and every declared action is called.
//
// The package knows no check by name: a check the demo does not seed is
// exercised against the account as it is.
//
// The package holds only tests.
package failclosed
