import type { Json } from './graphqlCall.js';

/** `createExport` as a browser sends it: a multipart GraphQL request with the template file. */
export async function postCreateExport(
  graphqlUrl: string,
  apiKey: string,
  corpId: string,
  code: string,
): Promise<Json> {
  const form = new FormData();
  form.set(
    'operations',
    JSON.stringify({
      query: `mutation($c: String!, $code: String!, $t: File!) {
        createExport(corpId: $c, code: $code, template: $t) { id jobId status resultId } }`,
      variables: { c: corpId, code, t: null },
    }),
  );
  form.set('map', JSON.stringify({ 0: ['variables.t'] }));
  form.set('0', new File(['$chatName=wr1$ $msgContent=m/k$'], 'template.txt', { type: 'text/plain' }));
  const res = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'x-graphql-csrf': '1' },
    body: form,
  });
  return res.json();
}
