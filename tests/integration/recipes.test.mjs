// The deploy recipes (deploy/container, deploy/fly, deploy/railway, deploy/heroku) checked without a container
// engine: every file parses, every environment name it sets is an option of `pigeonhubd --help`, the ports are
// 3000/tcp and 4222/udp, health checks ask /health, the image's runtime stage is non-root and installs exactly
// the libraries the built binary needs (readelf + dpkg), its HEALTHCHECK command works against a real hub, and
// the compose example, run as written with paths and service names mapped onto loopback, forms one mesh.
// (Building the image itself would need podman and a debootstrap'ed base from a Debian mirror: not in CI.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { hubBinary, repoRoot, startHub, dhtPort, tempStateDir, freePort, waitFor } from './lib/hub.mjs';
import { connect } from './lib/client.mjs';
import { parseYaml, parseToml } from './lib/recipe_formats.mjs';

const read = (p) => readFileSync(path.join(repoRoot, p), 'utf8');
const hubs = [];
after(async () => { for (const h of hubs) await h.stop('SIGKILL'); });

// Every environment name pigeonhubd reads: the `[NAME]` at the end of each --help line (the option table).
const helpText = execFileSync(hubBinary, ['--help'], { encoding: 'utf8' });
const optionEnv = new Set([...helpText.matchAll(/\[([A-Z][A-Z0-9_]*)\]\s*$/gm)].map((m) => m[1]));
function assertKnownEnv(names, where) {
  for (const n of names) assert.ok(optionEnv.has(n), `${where} sets ${n}, which is not an option of pigeonhubd --help`);
}
// NAME=value assignments inside a shell command line.
const shellAssignments = (cmd) => [...cmd.matchAll(/(?:^|[\s;&|(])([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]);

// Containerfile: stages of [instruction, argument] with continuation lines joined.
function containerfile() {
  const text = read('deploy/container/Containerfile').replace(/\\\n/g, ' ');
  const stages = [];
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (!s || s.startsWith('#')) continue;
    const [, ins, arg] = s.match(/^(\w+)\s+(.*)$/);
    if (ins.toUpperCase() === 'FROM') stages.push({ from: arg, name: arg.match(/\bAS\s+(\S+)/i)?.[1], steps: [] });
    else stages.at(-1).steps.push([ins.toUpperCase(), arg]);
  }
  return stages;
}
const envOf = (stage) => Object.fromEntries(stage.steps.filter(([i]) => i === 'ENV')
  .flatMap(([, a]) => [...a.matchAll(/([A-Z][A-Z0-9_]*)=(\S*)/g)].map((m) => [m[1], m[2]])));

test('pigeonhubd --help lists the option table (the names the recipes are checked against)', () => {
  for (const n of ['PORT', 'HOST', 'DHT_PORT', 'DHT_BIND', 'STATE_DIR', 'MESH_CA']) assert.ok(optionEnv.has(n), n);
});

test('Containerfile: build stage with meson, runtime stage non-root with only the libraries the binary needs', () => {
  const stages = containerfile();
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  for (const s of stages) assert.match(s.from, /^debian:12(-slim)?\b/, 'Debian 12 bases');
  const build = stages[0];
  const runtime = stages.at(-1);
  assert.ok(build.steps.some(([i, a]) => i === 'RUN' && /meson setup/.test(a) && /ninja/.test(a)), 'meson + ninja build');
  const copy = runtime.steps.find(([i, a]) => i === 'COPY' && a.includes(`--from=${build.name}`));
  assert.ok(copy && /pigeonhubd\s+\S*pigeonhubd$/.test(copy[1]), 'the binary is copied from the build stage');
  assert.ok(!runtime.steps.some(([i, a]) => i === 'COPY' && !a.includes('--from=')), 'no sources in the runtime stage');
  // Non-root: the last USER is a named or numeric non-zero user, set before the entrypoint.
  const users = runtime.steps.filter(([i]) => i === 'USER').map(([, a]) => a.trim());
  assert.ok(users.length && !/^(root|0)(:|$)/.test(users.at(-1)), `runtime user ${users.at(-1)}`);
  // Installed packages: only run-time libraries (no -dev, no compilers), and every NEEDED library is covered.
  const installed = runtime.steps.filter(([i, a]) => i === 'RUN' && /apt-get install/.test(a))
    .flatMap(([, a]) => a.split(/apt-get install/)[1].split('&&')[0].split(/\s+/).filter((w) => w && !w.startsWith('-')));
  for (const p of installed) assert.match(p, /^lib[\w.+-]*[\d.]+$/, `${p} is not a versioned run-time library package`);
  for (const p of installed) assert.doesNotMatch(p, /-dev$/, p);
  const readelf = spawnSync('readelf', ['-d', hubBinary], { encoding: 'utf8' });
  if (readelf.status === 0) {
    const needed = [...readelf.stdout.matchAll(/NEEDED.*\[(.+)\]/g)].map((m) => m[1]);
    const base = new Set(['libc6', 'libstdc++6', 'libgcc-s1']);  // in every Debian base image
    // (A sanitizer build, tools/dev.sh test-asan, needs its runtimes; the image is built without sanitizers.)
    for (const sanitizer of ['libasan8', 'libubsan1']) base.add(sanitizer);
    for (const lib of needed) {
      const owner = spawnSync('dpkg', ['-S', `*/${lib}`], { encoding: 'utf8' });
      if (owner.status !== 0) continue;
      const pkg = owner.stdout.split(':')[0].trim();
      assert.ok(base.has(pkg) || installed.includes(pkg), `${lib} (package ${pkg}) is not installed in the runtime stage`);
    }
  }
  // Ports, state, environment.
  const exposed = runtime.steps.filter(([i]) => i === 'EXPOSE').flatMap(([, a]) => a.split(/\s+/));
  assert.ok(exposed.includes('3000/tcp') && exposed.includes('4222/udp'), `EXPOSE ${exposed.join(' ')}`);
  const env = envOf(runtime);
  assertKnownEnv(Object.keys(env), 'Containerfile ENV');
  assert.equal(env.HOST, '0.0.0.0');
  assert.equal(env.PORT, '3000');
  assert.equal(env.DHT_PORT, '4222');
  const volumes = runtime.steps.filter(([i]) => i === 'VOLUME').map(([, a]) => a.trim());
  assert.ok(volumes.includes(env.STATE_DIR), 'STATE_DIR is a volume (the identity survives a new container)');
  assert.ok(runtime.steps.some(([i, a]) => i === 'ENTRYPOINT' && a.includes('/usr/local/bin/pigeonhubd')));
});

test('Containerfile HEALTHCHECK asks /health and passes against a live hub, fails without one', async () => {
  const hc = containerfile().at(-1).steps.find(([i]) => i === 'HEALTHCHECK');
  assert.ok(hc, 'a HEALTHCHECK');
  const argv = JSON.parse(hc[1].slice(hc[1].indexOf('CMD') + 3).trim());
  assert.match(argv.join(' '), /\/health/);
  const hub = await startHub();
  hubs.push(hub);
  const run = (port) => spawnSync(argv[0], argv.slice(1), { env: { PATH: process.env.PATH, PORT: String(port) }, timeout: 5000 });
  assert.equal(run(hub.port).status, 0, 'healthy hub');
  assert.notEqual(run(await freePort()).status, 0, 'nothing listening');
});

test('docker-compose.yml: two hubs, known env names, 3000/tcp and 4222/udp, CA made by an init service', () => {
  const compose = parseYaml(read('deploy/container/docker-compose.yml'));
  const hubNames = Object.keys(compose.services).filter((s) => s.startsWith('hub'));
  assert.equal(hubNames.length, 2);
  for (const [name, svc] of Object.entries(compose.services)) {
    assert.ok(existsSync(path.join(repoRoot, 'deploy/container', svc.build.context, svc.build.dockerfile)), `${name}: build path`);
    for (const v of svc.volumes ?? []) assert.ok(v.split(':')[0] in compose.volumes, `${name}: volume ${v} declared`);
    if (svc.entrypoint) assertKnownEnv(shellAssignments(svc.entrypoint.join(' ')), `${name} entrypoint`);
  }
  for (const name of hubNames) {
    const svc = compose.services[name];
    assertKnownEnv(Object.keys(svc.environment), name);
    const containerPorts = svc.ports.map((p) => p.split(':').at(-1));
    assert.ok(containerPorts.includes('3000/tcp') && containerPorts.includes('4222/udp'), `${name} ports ${svc.ports}`);
    for (const b of svc.environment.DHT_BOOTSTRAP.split(',')) {
      const [host, port] = b.split(':');
      assert.ok(hubNames.includes(host) && host !== name && port === '4222', `${name} bootstraps from ${b}`);
    }
    assert.equal(svc.depends_on['mesh-ca'].condition, 'service_completed_successfully');
  }
});

test('docker-compose.yml run as written (service names and container paths mapped onto loopback) forms one mesh', async () => {
  const compose = parseYaml(read('deploy/container/docker-compose.yml'));
  const image = envOf(containerfile().at(-1));
  const root = tempStateDir();
  const mapPath = (p) => p.replaceAll('/var/lib/pigeonhub', root);
  // The init service twice (with the image's environment): the second run must leave the CA alone and succeed.
  const init = compose.services['mesh-ca'].entrypoint.map(mapPath);
  assert.ok(!init.join(' ').includes('/var/lib/pigeonhub'), 'every container path mapped');
  const initEnv = Object.fromEntries(Object.entries(image).map(([k, v]) => [k, mapPath(v)]));
  for (let i = 0; i < 2; i++) {
    const r = spawnSync(init[0], init.slice(1), { env: { ...initEnv, PATH: `${path.dirname(hubBinary)}:${process.env.PATH}` }, encoding: 'utf8' });
    assert.equal(r.status, 0, `mesh-ca run ${i + 1}: ${r.stderr}`);
  }
  const dht = {};
  const started = [];
  for (const name of ['hub1', 'hub2']) {  // hub1 first: its bootstrap (hub2) is not up yet, as in `compose up`
    const env = { ...image, ...compose.services[name].environment };
    for (const k of Object.keys(env)) env[k] = mapPath(String(env[k]));
    env.STATE_DIR = path.join(root, `${name}-state`);
    env.DHT_BOOTSTRAP = await Promise.all(env.DHT_BOOTSTRAP.split(',').map(async (b) => `127.0.0.1:${dht[b.split(':')[0]] ?? await freePort()}`)).then((l) => l.join(','));
    Object.assign(env, { HOST: '127.0.0.1', PORT: '0', DHT_BIND: '127.0.0.1', DHT_PORT: '0', NODE_ENV: 'development' });
    const hub = await startHub({ env });
    hubs.push(hub);
    started.push(hub);
    dht[name] = await dhtPort(hub);
  }
  const hubsOf = async (h) => (await (await fetch(`${h.url}/hubs`)).json()).totalHubs;
  await waitFor(async () => (await hubsOf(started[0])) === 2 && (await hubsOf(started[1])) === 2,
    { timeoutMs: 15000, intervalMs: 100, what: 'both compose hubs in each other\'s /hubs' });
  const ids = ['a', 'b'].map((c) => c.repeat(40));
  const clients = await Promise.all(started.map((h, i) => connect(h.wsUrl(ids[i]))));
  clients.forEach((c, i) => c.send({ type: 'announce', networkName: 'compose', data: { peerId: ids[i] } }));
  await clients[0].next((m) => m.type === 'peer-discovered' && m.data.peerId === ids[1], 10000);
  await clients[1].next((m) => m.type === 'peer-discovered' && m.data.peerId === ids[0], 10000);
  for (const c of clients) c.end();
});

test('fly.toml: env names, HTTP service with a /health check, UDP 4222 on fly-global-services, state on a volume', () => {
  const fly = parseToml(read('deploy/fly/fly.toml'));
  assert.ok(existsSync(path.join(repoRoot, 'deploy/fly', fly.build.dockerfile)), 'dockerfile path');
  assertKnownEnv(Object.keys(fly.env), 'fly.toml [env]');
  const cmd = fly.experimental.entrypoint.join(' ');
  assertKnownEnv(shellAssignments(cmd), 'fly.toml entrypoint');
  assert.match(cmd, /DHT_BIND=\$\(getent [^)]*fly-global-services/, 'the DHT binds the fly-global-services address');
  assert.match(cmd, /exec \/usr\/local\/bin\/pigeonhubd/);
  const tcp = fly.services.find((s) => s.protocol === 'tcp');
  const udp = fly.services.find((s) => s.protocol === 'udp');
  assert.equal(tcp.internal_port, Number(fly.env.PORT));
  assert.equal(tcp.internal_port, 3000);
  assert.ok(tcp.http_checks.some((c) => c.path === '/health'));
  assert.equal(udp.internal_port, 4222);
  assert.equal(udp.internal_port, Number(fly.env.DHT_PORT));
  assert.ok(udp.ports.some((p) => p.port === 4222));
  assert.equal(fly.mounts.destination, fly.env.STATE_DIR);
});

test('railway.toml and heroku.yml: the Containerfile, /health, known env names', () => {
  const railway = parseToml(read('deploy/railway/railway.toml'));
  assert.equal(railway.build.builder, 'DOCKERFILE');
  assert.ok(existsSync(path.join(repoRoot, railway.build.dockerfilePath)));
  assert.equal(railway.deploy.healthcheckPath, '/health');
  const heroku = parseYaml(read('deploy/heroku/heroku.yml'));
  assert.ok(existsSync(path.join(repoRoot, heroku.build.docker.web)));
  assertKnownEnv(Object.keys(heroku.setup.config), 'heroku.yml setup.config');
});

test('README "Deploying" names every recipe and the UDP limits of each platform', () => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('## Deploying'), readme.indexOf('\n## ', readme.indexOf('## Deploying') + 3));
  assert.ok(section.length > 100, 'a Deploying section');
  for (const s of ['deploy/container/Containerfile', 'docker-compose.yml', 'fly.toml', 'railway.toml', 'heroku.yml',
    'fly-global-services', 'outbound', 'Vercel', 'Cloudflare Workers', 'local-mesh.sh']) {
    assert.ok(section.includes(s), `Deploying mentions ${s}`);
  }
});
