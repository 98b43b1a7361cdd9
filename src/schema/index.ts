import { builder } from './builder.js';
import './corp.js';
import './participant.js';
import './chat.js';
import './consent.js';
import './keywordRule.js';
import './keywordHit.js';
import './message.js';
import './analysisTask.js';
import './exportTask.js';
import './viewer.js';

/**
 * The assembled schema. Not yet here (they come with message ingestion): Corp.messages,
 * Chat.messages, Message.hits, Corp.syncState, MessageConnection.totalCount and Subscription.
 */
export const schema = builder.toSchema();
