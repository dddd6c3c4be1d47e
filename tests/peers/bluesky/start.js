'use strict'
// Runs Bluesky's own server for the acceptance test of the Bluesky connector (tests/peers/bluesky_pds.py):
// a PLC directory with an in-memory database (the public one is unreachable from here) and the PDS
// pointed at it. Both listen on 127.0.0.1 only.
//
// Input (environment): PDS_PORT (required), PDS_DATA_DIRECTORY (required, fresh: the PLC forgets every
// DID on restart), PDS_JWT_SECRET, PDS_DPOP_SECRET, PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX,
// PDS_ADMIN_PASSWORD (random when unset). PLC_PORT defaults to 0 (any free port).
// Output: one line on stdout, `KAWO_PEER_READY {"pds_url": ..., "plc_url": ...}`, once both serve.
// It stops on SIGTERM/SIGINT and when stdin closes (the test process went away).

const fs = require('node:fs')
const path = require('node:path')
const crypto = require('node:crypto')
const { PlcServer, Database: PlcDatabase } = require('@did-plc/server')
const { PDS, envToCfg, envToSecrets, readEnv } = require('@atproto/pds')

const LOOPBACK = '127.0.0.1'

// Express's app.listen(port) binds every interface; these servers must only be reachable locally.
function bindLoopback(app) {
  const listen = app.listen
  app.listen = function (port, ...rest) {
    const callbacks = rest.filter((arg) => typeof arg === 'function')
    return listen.call(this, port, LOOPBACK, ...callbacks)
  }
}

function randomHex() {
  return crypto.randomBytes(32).toString('hex')
}

function required(name) {
  const value = process.env[name]
  if (!value) {
    console.error(`start.js: ${name} is required`)
    process.exit(2)
  }
  return value
}

async function main() {
  const pdsPort = required('PDS_PORT')
  const dataDir = required('PDS_DATA_DIRECTORY')
  fs.mkdirSync(path.join(dataDir, 'blobs'), { recursive: true })

  const plc = PlcServer.create({ db: PlcDatabase.mock(), port: Number(process.env.PLC_PORT || 0) })
  bindLoopback(plc.app)
  const plcServer = await plc.start()
  const plcUrl = `http://${LOOPBACK}:${plcServer.address().port}`

  const defaults = {
    PDS_HOSTNAME: 'localhost',
    PDS_DEV_MODE: 'true',
    PDS_BLOBSTORE_DISK_LOCATION: path.join(dataDir, 'blobs'),
    PDS_JWT_SECRET: randomHex(),
    PDS_DPOP_SECRET: randomHex(),
    PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: randomHex(),
    PDS_ADMIN_PASSWORD: randomHex(),
    PDS_SERVICE_HANDLE_DOMAINS: '.test',
    PDS_INVITE_REQUIRED: 'false',
    PDS_DISABLE_SSRF_PROTECTION: 'true',
    PDS_CRAWLERS: '',
    LOG_ENABLED: 'false',
  }
  for (const [name, value] of Object.entries(defaults)) {
    if (process.env[name] === undefined) process.env[name] = value
  }
  process.env.PDS_DID_PLC_URL = plcUrl

  const env = readEnv()
  const pds = await PDS.create(envToCfg(env), envToSecrets(env))
  bindLoopback(pds.app)
  await pds.start()
  const pdsUrl = `http://${LOOPBACK}:${pds.server.address().port}`

  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    const force = setTimeout(() => process.exit(0), 5000)
    force.unref()
    try {
      await pds.destroy()
      await plc.destroy()
    } finally {
      process.exit(0)
    }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.on('error', stop)
  process.stdin.resume()

  process.stdout.write(`KAWO_PEER_READY ${JSON.stringify({ pds_url: pdsUrl, plc_url: plcUrl })}\n`)
}

main().catch((err) => {
  console.error('start.js: failed to start the Bluesky peer:', err)
  process.exit(1)
})
