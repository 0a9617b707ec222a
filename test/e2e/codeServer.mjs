// Starts and stops a private code-server (VS Code in the browser) for one end-to-end run: its own user data,
// extensions and config folders, bound to 127.0.0.1, no auth; stopped with its whole process group.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** User settings that keep start-up quiet and deterministic. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // As in desktop VS Code: an edit stays unsaved until it is saved (the web default saves after a second).
  'files.autoSave': 'off',
};

export class CodeServer {
  /** dirs: { userData, extensions, config, data, log } under the run folder. */
  constructor(binary, runDir) {
    this.binary = binary;
    this.dirs = {
      userData: path.join(runDir, 'user-data'),
      extensions: path.join(runDir, 'extensions'),
      xdgConfig: path.join(runDir, 'xdg-config'),
      xdgData: path.join(runDir, 'xdg-data'),
    };
    this.logFile = path.join(runDir, 'code-server.log');
    for (const dir of Object.values(this.dirs)) fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(this.dirs.userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(this.dirs.userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    this.env = { ...process.env, XDG_CONFIG_HOME: this.dirs.xdgConfig, XDG_DATA_HOME: this.dirs.xdgData };
    // code-server reads these; a value from the calling shell would change where or how it listens.
    for (const key of ['PORT', 'PASSWORD', 'HASHED_PASSWORD', 'VSCODE_IPC_HOOK_CLI']) delete this.env[key];
  }

  installExtension(vsix) {
    const result = spawnSync(
      this.binary,
      ['--user-data-dir', this.dirs.userData, '--extensions-dir', this.dirs.extensions, '--install-extension', vsix],
      { env: this.env, encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0 || !/successfully installed/i.test(result.stdout)) {
      throw new Error(`installing ${path.basename(vsix)} failed:\n${result.stdout}\n${result.stderr}`);
    }
  }

  /** Starts the server with folder open; resolves to its URL once it listens. */
  async start(folder) {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const port = await freePort();
      const proc = spawn(
        this.binary,
        [
          '--bind-addr', `127.0.0.1:${port}`,
          '--auth', 'none',
          '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
          '--user-data-dir', this.dirs.userData,
          '--extensions-dir', this.dirs.extensions,
          folder,
        ],
        { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const log = fs.openSync(this.logFile, 'a');
      let output = '';
      const onData = (chunk) => {
        output += chunk;
        fs.writeSync(log, chunk);
      };
      proc.stdout.on('data', onData);
      proc.stderr.on('data', onData);
      const listening = await new Promise((resolve) => {
        const timer = setTimeout(() => done(false), 30_000);
        const poll = setInterval(() => {
          if (/HTTP server listening on/.test(output)) done(true);
          else if (/EADDRINUSE/.test(output)) done(false);
        }, 50);
        const onExit = () => done(false);
        proc.once('exit', onExit);
        function done(ok) {
          clearTimeout(timer);
          clearInterval(poll);
          proc.off('exit', onExit);
          resolve(ok);
        }
      });
      if (listening) {
        this.proc = proc;
        this.url = `http://127.0.0.1:${port}/`;
        return this.url;
      }
      killGroup(proc.pid, 'SIGKILL');
    }
    throw new Error(`code-server did not start; see ${this.logFile}`);
  }

  /** Stops code-server and everything it started (extension host, language server, watchers). */
  async stop() {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    const exited = proc.exitCode !== null ? Promise.resolve() : new Promise((resolve) => proc.once('exit', resolve));
    killGroup(proc.pid, 'SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), delay(5_000).then(() => true)]);
    for (let i = 0; i < 30 && groupMembers(proc.pid).length > 0; i++) await delay(100);
    if (timedOut || groupMembers(proc.pid).length > 0) killGroup(proc.pid, 'SIGKILL');
  }

  /** The Sluice output channel's log file (log channels are written under the session's logs folder). */
  findOutputLog(name) {
    const found = [];
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === `${name}.log`) found.push(full);
      }
    };
    const logs = path.join(this.dirs.userData, 'logs');
    if (fs.existsSync(logs)) walk(logs);
    return found;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function killGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** Live processes of a process group (Linux /proc). */
function groupMembers(pgid) {
  const members = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

export function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
