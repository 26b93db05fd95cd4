// A real OpenID Connect provider for mailguard's sign-in tests: oidc-provider with its
// development login screens (any login name, any password). Usage:
//   node provider.mjs PORT REDIRECT_URI CLIENT_SECRET
// Accounts: the login name is the subject; "alice" and "bob" are reviewers, "carol" a viewer,
// anyone else has no mailguard group.
import Provider from 'oidc-provider';

const [port, redirectUri, secret] = process.argv.slice(2);
const groups = { alice: ['mg-reviewers'], bob: ['mg-reviewers'], carol: ['mg-viewers'] };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: 'mailguard',
    client_secret: secret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false, // scope claims go into the ID token, as Entra ID's groups claim does
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: id, email: `${id}@council.example`, groups: groups[id] ?? [] }),
  }),
  features: { devInteractions: { enabled: true } },
  loadExistingGrant: async (ctx) => { // consent is implied: skip the consent screen
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => console.log(`listening ${port}`));
