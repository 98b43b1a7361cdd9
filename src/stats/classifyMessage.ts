import { chatKeyOf } from '../datasources/store/chatKeyOf.js';
import type { ArchivedMessage } from '../datasources/store/ports.js';

/** Who talked to whom, from sync_msg metadata (participant types: 1 employee, 2 customer, 3 robot). */
export type Direction = 'EMPLOYEE_TO_CUSTOMER' | 'CUSTOMER_TO_EMPLOYEE' | 'INTERNAL' | 'OTHER';

export type ClassifiedMessage = {
  chatKey: string;
  kind: 'SINGLE' | 'GROUP';
  direction: Direction;
  /** Employees the message counts for: the sender, and the receiver of a single chat. */
  employeeIds: string[];
  /** Customers the message counts for, likewise. */
  customerIds: string[];
  /** Employees who received it (single: the other party; group: the employee members). */
  employeeReceivers: string[];
};

const EMPLOYEE = 1;
const CUSTOMER = 2;

/**
 * The direction rules: an employee's message to a chat with a customer in it is
 * EMPLOYEE_TO_CUSTOMER, to employees/robots only INTERNAL; a customer's message with an employee
 * among the receivers is CUSTOMER_TO_EMPLOYEE; everything else (robots sending, customers among
 * themselves) is OTHER. Per-participant attribution mirrors the index's participant filter:
 * the sender, plus the receiver of a single chat (group traffic belongs to the chat).
 */
export function classifyMessage(m: ArchivedMessage): ClassifiedMessage {
  const group = m.chatId !== null;
  const receiverTypes = new Set(m.receivers.map((r) => r.type));
  let direction: Direction = 'OTHER';
  if (m.sender.type === EMPLOYEE) {
    direction = receiverTypes.has(CUSTOMER) ? 'EMPLOYEE_TO_CUSTOMER' : 'INTERNAL';
  } else if (m.sender.type === CUSTOMER && receiverTypes.has(EMPLOYEE)) {
    direction = 'CUSTOMER_TO_EMPLOYEE';
  }
  const counted = group ? [m.sender] : [m.sender, ...m.receivers.slice(0, 1)];
  const ids = (type: number) => [...new Set(counted.filter((p) => p.type === type).map((p) => p.id))];
  return {
    chatKey: chatKeyOf(m),
    kind: group ? 'GROUP' : 'SINGLE',
    direction,
    employeeIds: ids(EMPLOYEE),
    customerIds: ids(CUSTOMER),
    employeeReceivers: [...new Set(m.receivers.filter((r) => r.type === EMPLOYEE).map((r) => r.id))],
  };
}
