import type { Prng } from './Prng.js';

/**
 * Word material for generated content, Chinese and English, so keyword rules ("报价", "price"),
 * semantics (phone, email, bank card, ID card, links) and the analysis word lists all have hits.
 */
export const CORP_NAMES = [
  '星河贸易有限公司',
  'Blue Harbor Logistics',
  '青松医疗科技',
  'Northwind Foods',
  '云帆教育集团',
  'Acme Robotics',
] as const;
export const FAMILY_NAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'] as const;
export const GIVEN_NAMES = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '艳', '杰', '涛', '明'] as const;
export const ENGLISH_NAMES = ['Alice', 'Bob', 'Carol', 'David', 'Emma', 'Frank', 'Grace', 'Henry'] as const;
export const DEPARTMENTS = ['销售部', '客服部', 'Engineering', '财务部', 'Marketing'] as const;
export const GROUP_NAMES = [
  '项目周会',
  'Sales Weekly',
  '售后服务群',
  'VIP 客户群',
  '新品报价群',
  'Partner Sync',
] as const;
export const PRODUCTS = [
  '旗舰套餐',
  '企业版',
  'Pro plan',
  'starter kit',
  '年度服务',
  'cloud storage',
] as const;

/** Sentiment and spam word lists shared by the generator and the analysis engine. */
export const POSITIVE_WORDS = [
  '谢谢',
  '满意',
  '不错',
  '太好了',
  'thanks',
  'great',
  'happy',
  'excellent',
] as const;
export const NEGATIVE_WORDS = [
  '投诉',
  '不满',
  '太差',
  '退款',
  'terrible',
  'angry',
  'refund',
  'complaint',
] as const;
export const POLITICAL_WORDS = ['政治敏感词', 'banned-politics'] as const;
export const PORN_WORDS = ['色情内容', 'adult-content'] as const;

const TEMPLATES: readonly ((p: Prng) => string)[] = [
  (p) => `您好，${p.pick(PRODUCTS)}的报价是 ${p.int(1, 99) * 100} 元，请查收。`,
  (p) => `Hi, the price for ${p.pick(PRODUCTS)} is $${p.int(10, 999)} per month.`,
  (p) => `我的手机号是 1${p.pick(['38', '39', '58', '86', '77'])}${p.digits(8)}，有事随时联系。`,
  (p) => `Please call me at +86 13${p.int(0, 9)}${p.digits(8)} tomorrow.`,
  (p) => `邮箱是 ${p.pick(['sales', 'li.wei', 'support', 'emma'])}@example.com，合同发这里。`,
  (p) => `Send the invoice to ${p.pick(['finance', 'bob', 'ap'])}@example.org please.`,
  (p) => `请转账到银行卡 6222${p.digits(12)}，谢谢。`,
  (p) => `Bank card number 6217${p.digits(12)} for the refund.`,
  (p) =>
    `身份证号 11010${p.int(1, 9)}19${p.int(70, 99)}0${p.int(1, 9)}1${p.int(0, 9)}${p.digits(3)}X 已登记。`,
  (p) => `资料在这里 https://docs.example.com/${p.token(6)} 请查看。`,
  (p) => `See https://www.example.com/offer/${p.token(5)} for details.`,
  () => `${'谢谢'}，服务很满意，太好了！`,
  () => 'Thanks, great support, I am very happy with it.',
  () => '我要投诉，你们的服务太差了，申请退款。',
  () => 'This is terrible, I am angry and want a refund.',
  (p) => `明天${p.int(9, 17)}点开会讨论${p.pick(PRODUCTS)}。`,
  (p) => `Meeting at ${p.int(9, 17)}:00 about the ${p.pick(PRODUCTS)} rollout.`,
  () => '收到，马上处理。',
  () => 'OK, will do.',
  () => '请问合同什么时候可以签？',
  () => 'Could you share the quote again?',
  () => `这条消息含有${POLITICAL_WORDS[0]}。`,
  () => `spam with ${PORN_WORDS[1]} link`,
  (p) => `欢迎添加我为好友，我是您的专属顾问${p.pick(FAMILY_NAMES)}经理。`,
];

export function randomText(prng: Prng): string {
  // Two in three messages are plain chatter, so special matches stay the exception.
  if (prng.chance(0.35)) return prng.pick(TEMPLATES.slice(15, 21))(prng);
  return prng.pick(TEMPLATES)(prng);
}

export function welcomeText(prng: Prng): string {
  return TEMPLATES[TEMPLATES.length - 1]!(prng);
}

export function personName(prng: Prng): string {
  return prng.chance(0.3)
    ? `${prng.pick(ENGLISH_NAMES)} ${prng.pick(['Li', 'Wang', 'Smith', 'Chen'])}`
    : `${prng.pick(FAMILY_NAMES)}${prng.pick(GIVEN_NAMES)}${prng.chance(0.5) ? prng.pick(GIVEN_NAMES) : ''}`;
}
