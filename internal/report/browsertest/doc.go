// Package browsertest opens the HTML report (`--format html`) in a real
// headless Chromium, driven by chromedp: the page must load nothing but
// itself, log no error, show the report's counts, and filter and sort as a
// reader expects. Its only code is its test; Chromium comes from $CHROMIUM
// or the PATH (`make need-chromium` installs it), and its absence fails the
// test, never skips it.
package browsertest
