/** WHIP_TOKEN of the demo app server in the e2e run: what WHIP and WHEP clients must send. */
export const e2eWhipToken = 'medley-e2e-whip-token';
