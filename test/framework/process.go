/*
Copyright 2026 The KubeFed Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package framework

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProcessOptions say how StartProcess starts a program.
type ProcessOptions struct {
	// Path is the program's executable.
	Path string
	// Args are its arguments.
	Args []string
	// Env changes the environment the program inherits: "KEY=VALUE" sets
	// KEY, a bare "KEY" removes it.
	Env []string
	// LogPath is the file the program's stdout and stderr are appended to;
	// it is created when missing.
	LogPath string
}

// Process is a program started by StartProcess: its output goes to a log
// file, and it dies with the process that started it (DieWithParent, on
// Linux), so that a crashed test leaves nothing behind.
type Process struct {
	// LogPath holds the program's stdout and stderr.
	LogPath string

	cmd    *exec.Cmd
	exited chan struct{}
	stop   sync.Once
	mu     sync.Mutex
	state  *os.ProcessState // set when it exited
}

// StartProcess starts a program with opts and returns at once; Stop ends
// it.
func StartProcess(opts ProcessOptions) (*Process, error) {
	logFile, err := os.OpenFile(opts.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	p := &Process{LogPath: opts.LogPath, exited: make(chan struct{})}
	p.cmd = exec.Command(opts.Path, opts.Args...)
	p.cmd.Env = processEnv(os.Environ(), opts.Env)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = DieWithParent()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", opts.Path, err)
	}
	go func() {
		_ = p.cmd.Wait()
		logFile.Close()
		p.mu.Lock()
		p.state = p.cmd.ProcessState
		p.mu.Unlock()
		close(p.exited)
	}()
	return p, nil
}

// processEnv applies changes ("KEY=VALUE" sets, "KEY" removes) to env.
func processEnv(env, changes []string) []string {
	out := slices.Clone(env)
	for _, c := range changes {
		key, _, _ := strings.Cut(c, "=")
		out = slices.DeleteFunc(out, func(kv string) bool { return strings.HasPrefix(kv, key+"=") })
		if strings.Contains(c, "=") {
			out = append(out, c)
		}
	}
	return out
}

// PID returns the program's process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Exited is closed when the program has exited.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// Running says whether the program has not exited yet.
func (p *Process) Running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// ExitStatus says how the program ended ("exit status 1", "signal:
// killed"), or "running".
func (p *Process) ExitStatus() string {
	if st := p.State(); st != nil {
		return st.String()
	}
	return "running"
}

// State returns the program's state once it exited, nil while it runs.
func (p *Process) State() *os.ProcessState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// Signal sends sig to the program (SIGTERM, to check a graceful end
// itself); Stop is the usual way to end it.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Stop asks the program to end (SIGTERM), kills it when it still runs
// after grace (at once when grace is zero), and waits until it is gone.
// Only the first call signals; every call waits.
func (p *Process) Stop(grace time.Duration) {
	p.stop.Do(func() {
		select {
		case <-p.exited:
			return
		default:
		}
		if grace > 0 {
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.exited:
				return
			case <-time.After(grace):
			}
		}
		_ = p.cmd.Process.Kill()
	})
	<-p.exited
}

// LogTail returns the last lines of the program's log, or the error that
// kept it from being read.
func (p *Process) LogTail(lines int) string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	return lastLines(string(data), lines)
}

// LogLines returns the lines of the program's log, or one line saying why
// it could not be read.
func (p *Process) LogLines() []string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return []string{fmt.Sprintf("reading %s: %v", p.LogPath, err)}
	}
	return strings.Split(strings.TrimRight(string(data), "\n"), "\n")
}

// Grep returns the log lines that contain every one of subs
// (case-insensitive).
func (p *Process) Grep(subs ...string) []string {
	return slices.DeleteFunc(p.LogLines(), func(l string) bool {
		lower := strings.ToLower(l)
		return slices.ContainsFunc(subs, func(s string) bool { return !strings.Contains(lower, strings.ToLower(s)) })
	})
}

// LogExcerpt returns the error lines of the log (at most n: lines at level
// error, klog's E lines, and refusals naming "forbidden") and its last n
// lines, for a test that failed.
func (p *Process) LogExcerpt(n int) string {
	lines := p.LogLines()
	var errs []string
	for _, l := range lines {
		lower := strings.ToLower(l)
		if strings.Contains(lower, `"level":"error"`) || strings.Contains(lower, "forbidden") || strings.HasPrefix(l, "E") {
			errs = append(errs, l)
		}
	}
	errs = errs[len(errs)-min(len(errs), n):]
	lines = lines[len(lines)-min(len(lines), n):]
	return fmt.Sprintf("--- %d error lines:\n%s\n--- last %d lines:\n%s", len(errs), strings.Join(errs, "\n"), len(lines), strings.Join(lines, "\n"))
}
