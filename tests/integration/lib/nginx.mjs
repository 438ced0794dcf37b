// A real nginx (Debian package) on loopback in front of hubs, in the shape of deploy/nginx/pigeonhub.conf:
// WebSocket upgrade headers, a dead upstream skipped at once (proxy_next_upstream), long read timeouts.
// Used by failover.test.mjs and tools/auto-scale.mjs. Killed by PID when the process exits.
import { spawn, execFileSync } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, tempStateDir, waitFor, stopChild } from './hub.mjs';

// The nginx binary, or null when nginx is not installed.
export function nginxBinary() {
  for (const p of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try { execFileSync(p, ['-v'], { stdio: 'ignore' }); return p; } catch {}
  }
  return null;
}

// Starts nginx on 127.0.0.1 and a free port with `upstreamPorts` (hubs on 127.0.0.1) as its upstream; resolves
// {child, port, url, stop()} once /health answers through it (so at least one upstream must be up).
export async function startNginx(upstreamPorts) {
  const dir = tempStateDir();
  mkdirSync(path.join(dir, 'tmp'));
  const port = await freePort();
  const conf = `
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
daemon off;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream pigeonhub {
${upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://pigeonhub;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout;
      proxy_read_timeout 1h;
    }
  }
}`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(nginxBinary(), ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  process.on('exit', () => { try { child.kill('SIGKILL'); } catch {} });
  await waitFor(async () => {
    try { return (await fetch(`http://127.0.0.1:${port}/health`)).ok; } catch { return false; }
  }, { timeoutMs: 5000, what: `nginx to serve (${err})` });
  return { child, port, url: `http://127.0.0.1:${port}`, stop: () => stopChild(child, 'SIGTERM', 3000) };
}
