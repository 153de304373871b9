package suite

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where the suite ran.
type Machine struct {
	CPU    string
	Cores  int
	RAMGB  float64
	Go     string
	Java   string
	Kernel string
	// LoadStart and LoadEnd are /proc/loadavg's 1-minute load at the start
	// and end of the run: other work on the machine shows up as noise.
	LoadStart, LoadEnd string
}

// LoadAvg returns the 1-, 5- and 15-minute load averages.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// ReadMachine reads the CPU model and memory from /proc, and asks java for
// its version.
func ReadMachine(ctx context.Context) Machine {
	m := Machine{Cores: runtime.NumCPU(), Go: runtime.Version(), CPU: "unknown", Java: "not found", LoadStart: LoadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "MemTotal:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				m.RAMGB = kb / (1 << 20)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "java", "-version")
	cmd.Stderr, cmd.Stdout = &out, &out
	if cmd.Run() == nil {
		if line, _, _ := strings.Cut(out.String(), "\n"); line != "" {
			m.Java = strings.TrimSpace(line)
		}
	}
	return m
}
