// A real OpenID provider for the tests: the certified `oidc-provider` package on loopback.
//
// Started by tests/oidc_support.py as `node server.mjs <config.json>`. The config gives the
// issuer (http://127.0.0.1:<port>), the signing keys (a JWKS the tests generate), the clients
// and the accounts (sub -> claims). Login and consent are the package's own development
// interaction pages (two forms: login, then consent); any password is accepted. PKCE (S256)
// is required. Prints "ready" once listening; stops when its stdin closes.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { port } = new URL(config.issuer);

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: ["opi-test-cookie-key"] },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    opi: [config.organisationClaim, config.roleClaim],
  },
  scopes: ["openid", "email", "profile", "opi", "offline_access"],
  conformIdTokenClaims: false, // the scopes' claims go into the ID token itself
  pkce: { required: () => true, methods: ["S256"] },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, id) {
    const claims = config.accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
// oidc-provider refuses plain HTTP outside development unless told the requests are secure
// enough; loopback is what RFC 8252 allows anyway.
provider.proxy = false;

const server = provider.listen(Number(port), "127.0.0.1", () => {
  process.stdout.write("ready\n");
});
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.resume();
