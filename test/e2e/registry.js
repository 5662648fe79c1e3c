'use strict';
/**
 * A loopback npm registry for installing this package the way n8n's editor does (Settings →
 * Community Nodes → Install, i.e. `POST /rest/community-packages`).
 *
 * n8n installs community packages only from https://registry.npmjs.org unless its license has
 * the custom-registry feature (N8N_COMMUNITY_PACKAGES_REGISTRY is refused otherwise: n8n 2.41
 * community-packages.service.js getNpmRegistry), and has no registry-free source (no local
 * tarball or folder). So the registry is served where n8n and its npm look for it, on loopback:
 * an HTTPS proxy (HTTPS_PROXY for n8n and npm) that answers CONNECT registry.npmjs.org:443 itself,
 * with a certificate for registry.npmjs.org signed by a throw-away CA (NODE_EXTRA_CA_CERTS),
 * and serves the packuments, version manifests and packed tarballs of the packages it is given
 * (packages/n8n-nodes-poke, packages/n8n-nodes-pokee). Every other host is refused and every
 * other path is a 404: nothing leaves the machine.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const tls = require('node:tls');

const REGISTRY_HOST = 'registry.npmjs.org';

/** A CA and a certificate for registry.npmjs.org it signed (openssl, EC P-256), in `dir`. */
function makeCertificates(dir) {
	const openssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
	const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
	openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=n8n-nodes-poke e2e loopback CA',
		'-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
	openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${REGISTRY_HOST}`]);
	fs.writeFileSync(path.join(dir, 'leaf.ext'), `subjectAltName=DNS:${REGISTRY_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
	openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext']);
	return {
		caFile: path.join(dir, 'ca.pem'),
		key: fs.readFileSync(path.join(dir, 'leaf.key')),
		cert: fs.readFileSync(path.join(dir, 'leaf.pem')),
	};
}

/** What the registry serves for one packed package: packument, version manifest, tarball. */
function served({ tarball, manifest }) {
	const bytes = fs.readFileSync(tarball);
	const { name, version } = manifest;
	const file = `${name}-${version}.tgz`;
	const tarballUrl = `https://${REGISTRY_HOST}/${name}/-/${file}`;
	const integrity = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
	const versionManifest = {
		...manifest,
		_id: `${name}@${version}`,
		dist: { tarball: tarballUrl, integrity, shasum: crypto.createHash('sha1').update(bytes).digest('hex') },
	};
	const packument = {
		_id: name,
		name,
		'dist-tags': { latest: version },
		versions: { [version]: versionManifest },
		time: { created: new Date().toISOString(), [version]: new Date().toISOString() },
	};
	return { name, version, file, bytes, integrity, versionManifest, packument };
}

/**
 * Starts the registry for packed packages: `packages` is [{ tarball (the .tgz path), manifest
 * (its package.json) }]. Resolves { env (for n8n's process), requests (what arrived),
 * integrity (by package name), close() }.
 */
async function startLoopbackRegistry({ packages, dir }) {
	const certs = makeCertificates(dir);
	const byName = new Map(packages.map((p) => served(p)).map((p) => [p.name, p]));
	const requests = [];
	const json = (res, status, body) => {
		res.writeHead(status, { 'Content-Type': 'application/json' });
		res.end(JSON.stringify(body));
	};

	// the registry itself, reached only through the TLS tunnels below
	const registry = http.createServer((req, res) => {
		const url = decodeURIComponent(new URL(req.url, `https://${REGISTRY_HOST}`).pathname);
		requests.push(`${req.method} ${url}`);
		if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
		const pkg = byName.get(url.slice(1).split('/')[0]);
		if (!pkg) return json(res, 404, { error: 'Not found' });
		const { name, version, file, bytes } = pkg;
		if (url === `/${name}`) return json(res, 200, pkg.packument);
		if (url === `/${name}/latest` || url === `/${name}/${version}`) return json(res, 200, pkg.versionManifest);
		if (url === `/${name}/-/${file}`) {
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
			return res.end(bytes);
		}
		return json(res, 404, { error: 'Not found' });
	});
	const secureContext = tls.createSecureContext({ key: certs.key, cert: certs.cert });

	// the proxy n8n and npm are pointed at: CONNECT to the registry host is served here
	const proxy = http.createServer((req, res) => {
		requests.push(`PROXY ${req.method} ${req.url} (refused)`);
		res.writeHead(403);
		res.end();
	});
	const sockets = new Set();
	proxy.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	proxy.on('connect', (req, socket, head) => {
		const [host, port] = req.url.split(':');
		if (host !== REGISTRY_HOST || (port && port !== '443')) {
			requests.push(`CONNECT ${req.url} (refused)`);
			socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		requests.push(`CONNECT ${req.url}`);
		socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		if (head?.length) socket.unshift(head);
		const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
		secure.on('error', () => socket.destroy());
		registry.emit('connection', secure);
	});
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;

	return {
		requests,
		integrity: Object.fromEntries([...byName].map(([name, p]) => [name, p.integrity])),
		env: {
			HTTPS_PROXY: proxyUrl,
			https_proxy: proxyUrl,
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			npm_config_https_proxy: proxyUrl,
			npm_config_noproxy: '127.0.0.1,localhost,::1',
			NODE_EXTRA_CA_CERTS: certs.caFile,
			npm_config_cafile: certs.caFile,
			// the package must not land in the user's npm cache under the real registry's name
			npm_config_cache: path.join(dir, 'npm-cache'),
			npm_config_update_notifier: 'false',
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => proxy.close(resolve));
		},
	};
}

module.exports = { startLoopbackRegistry };
