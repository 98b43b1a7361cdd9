import type { CorpData, DraftMessage, Party } from '../domain/types.js';
import type { Prng } from './Prng.js';
import { PRODUCTS, randomText, welcomeText } from './textCorpus.js';

export const ALL_MSGTYPES = Array.from({ length: 29 }, (_, i) => i);

/** Mostly text, the rest spread over every other type. */
export function randomMsgtype(prng: Prng): number {
  return prng.chance(0.6) ? 1 : prng.int(0, 28);
}

type Content = { content: Record<string, unknown>; searchText: string };

function contentFor(prng: Prng, msgtype: number): Content {
  const file = () =>
    `${prng.pick(['报价单', 'contract', '方案', 'invoice'])}-${prng.int(1, 99)}.${prng.pick(['pdf', 'docx', 'xlsx'])}`;
  switch (msgtype) {
    case 1: {
      const text = randomText(prng);
      return { content: { content: text }, searchText: text };
    }
    case 2:
      return { content: { md5sum: prng.token(32), filesize: prng.int(1e4, 1e6) }, searchText: '' };
    case 4: {
      const title = `${prng.pick(PRODUCTS)} 价格 price list`;
      return { content: { title, link_url: `https://www.example.com/${prng.token(6)}` }, searchText: title };
    }
    case 5: {
      const title = `${prng.pick(['报价助手', 'Order tracker', '会员中心'])}`;
      return { content: { title, displayname: 'demo-weapp' }, searchText: title };
    }
    case 8: {
      const filename = file();
      return { content: { filename, filesize: prng.int(1e3, 1e7) }, searchText: filename };
    }
    case 18: {
      const title = `${prng.pick(['季度报价', 'Roadmap', '会议纪要'])}文档`;
      return { content: { title, link_url: `https://doc.example.com/${prng.token(8)}` }, searchText: title };
    }
    case 20: {
      const text = randomText(prng);
      return { content: { item: [{ type: 'text', content: text }, { type: 'image' }] }, searchText: text };
    }
    case 23: {
      const filename = file();
      return { content: { filename }, searchText: filename };
    }
    case 13:
      return {
        content: { wish: '恭喜发财', totalcnt: prng.int(1, 10), totalamount: prng.int(100, 20000) },
        searchText: '',
      };
    case 27: {
      const text = `**${prng.pick(PRODUCTS)}** update`;
      return { content: { content: text }, searchText: '' };
    }
    default:
      return { content: { kind: msgtype }, searchText: '' };
  }
}

/** Picks a chat of the corp (or the given one) and produces one message in it. */
export function draftMessage(
  prng: Prng,
  corp: CorpData,
  msgtype: number,
  chatId: string | null,
): DraftMessage {
  const group =
    chatId === null
      ? prng.chance(0.45)
        ? prng.pick(corp.groups)
        : null
      : corp.groups.find((g) => g.chatId === chatId);
  let sender: Party;
  let receivers: Party[];
  if (group) {
    const humans = group.members.filter((m) => m.type !== 3);
    const from = prng.pick(humans);
    sender = { type: from.type, id: from.memberid };
    receivers = group.members
      .filter((m) => m.memberid !== from.memberid)
      .map((m) => ({ type: m.type, id: m.memberid }));
  } else {
    const single = prng.pick(corp.singles);
    const flip = prng.chance(0.5);
    sender = flip ? single.b : single.a;
    receivers = [flip ? single.a : single.b];
  }
  const welcome =
    !group && msgtype === 1 && sender.type === 1 && receivers[0]!.type === 2 && prng.chance(0.05);
  const made = welcome
    ? { content: { content: welcomeText(prng) }, searchText: '' }
    : contentFor(prng, msgtype);
  if (welcome) made.searchText = String(made.content['content']);
  return {
    sender,
    receivers,
    chatId: group ? group.chatId : null,
    msgtype,
    content: made.content,
    searchText: made.searchText,
    recalled: msgtype === 1 && prng.chance(0.03),
    welcome,
    qrCode: msgtype === 2 && prng.chance(0.2),
  };
}
