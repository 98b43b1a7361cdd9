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
import './display.js';
import './viewer.js';
import './messageIndex.js';
import './syncState.js';
import './subscription.js';
import './statistics.js';
import './statisticsBreakdown.js';
import './alerts.js';
import './entities.js';

/** The assembled schema. */
export const schema = builder.toSchema();
