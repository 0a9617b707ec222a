// Preloaded with --require into a measured child process: on exit it writes the process's peak resident
// set size (bytes; DuckDB's native memory included) and CPU time to the file named by SLUICE_BENCH_USAGE_FILE.
const fs = require('node:fs');

const file = process.env.SLUICE_BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    fs.writeFileSync(
      file,
      JSON.stringify({
        peakRssBytes: usage.maxRSS * 1024, // reported in kilobytes
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, // reported in microseconds
      }),
    );
  });
}
