// Verify SM2 signatures with sm-crypto exactly as ofd.js 0.2.6 does (verify_signature_util.js):
// message = the raw DER bytes that were signed, signature = DER SEQUENCE{r,s} as hex,
// options { der: true, hash: true, userId: "1234567812345678" }.
//
// Input on stdin: JSON [{"publicKey": "04<x><y> hex", "message": "<base64>", "signature": "<DER hex>"}, ...]
// Output on stdout: JSON {"ofdjs": [true|false, ...], "latest": [true|false, ...]} where "ofdjs" is the
// sm-crypto copy bundled with ofd.js and "latest" the top-level sm-crypto package.
"use strict";

const path = require("path");

function load(relative) {
  try {
    return require(path.join(__dirname, "node_modules", relative)).sm2;
  } catch (error) {
    return null;
  }
}

const libraries = {
  ofdjs: load("ofd.js/node_modules/sm-crypto"),
  latest: load("sm-crypto"),
};

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const checks = JSON.parse(input);
  const result = {};
  for (const [name, sm2] of Object.entries(libraries)) {
    if (sm2 === null) continue;
    result[name] = checks.map((check) => {
      const message = Uint8Array.from(Buffer.from(check.message, "base64"));
      // ofd.js passes a Uint8Array view; newer sm-crypto wants a plain byte array or string.
      const msg = name === "ofdjs" ? message : Array.from(message);
      try {
        return sm2.doVerifySignature(msg, check.signature, check.publicKey, {
          der: true,
          hash: true,
          userId: "1234567812345678",
        }) === true;
      } catch (error) {
        return false;
      }
    });
  }
  process.stdout.write(JSON.stringify(result));
});
