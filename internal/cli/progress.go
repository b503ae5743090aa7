package cli

import (
	"fmt"
	"sync"
	"time"

	"github.com/secadvisor/secadvisor/internal/scan"
)

// progressEvery is how often a scan whose standard error is not a terminal
// says how far it got, when asked to with --progress.
const progressEvery = time.Minute

// progress tells a person waiting for a scan how far it got, on standard
// error: on a terminal a live line, redrawn as jobs finish and every second;
// elsewhere nothing, or with --progress one line a minute.
type progress struct {
	env     Env
	total   int
	started time.Time

	mu   sync.Mutex
	done int
	last string // the job finished last
	quit chan struct{}
	wg   sync.WaitGroup
}

func startProgress(env Env, periodic bool, total int, started time.Time) *progress {
	switch {
	case env.Terminal:
		return showProgress(env, time.Second, total, started)
	case periodic:
		return showProgress(env, progressEvery, total, started)
	}
	return showProgress(env, 0, total, started)
}

// showProgress shows progress every interval (never when it is 0).
func showProgress(env Env, every time.Duration, total int, started time.Time) *progress {
	p := &progress{env: env, total: total, started: started, quit: make(chan struct{})}
	if every <= 0 {
		return p
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-p.quit:
				return
			case <-tick.C:
				p.show()
			}
		}
	}()
	return p
}

// jobDone records a finished job; on a terminal the line is redrawn at once.
func (p *progress) jobDone(done int, job scan.Job) {
	p.mu.Lock()
	p.done, p.last = done, job.String()
	p.mu.Unlock()
	if p.env.Terminal {
		p.show()
	}
}

func (p *progress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := time.Since(p.started).Round(time.Second)
	if p.env.Terminal {
		fmt.Fprintf(p.env.Stderr, "\r\033[K[%d/%d jobs, %s] %s", p.done, p.total, elapsed, p.last)
		return
	}
	fmt.Fprintf(p.env.Stderr, "secadvisor scan: %d of %d jobs done after %s\n", p.done, p.total, elapsed)
}

// stop ends the progress display and, on a terminal, clears its line.
func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
	if p.env.Terminal {
		fmt.Fprint(p.env.Stderr, "\r\033[K")
	}
}
