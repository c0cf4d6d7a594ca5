import type { EventContext } from 'esgen/runtime';
import type { NoteAdded } from '../generated/booking/events.js';
import { BookingBase } from '../generated/booking/booking.base.js';
import type { Guest, Stay } from '../generated/booking/types.js';

/** A command the booking's rules refuse; nothing was raised. */
export class BookingRuleViolation extends Error {
  override readonly name = 'BookingRuleViolation';
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Booking: the business rules of the hotel-booking example. esgen scaffolded this file once and
 * never overwrites it; state, raise methods and the apply dispatcher are in BookingBase.
 */
export class Booking extends BookingBase {
  request(command: { roomId: string; guest: Guest; stay: Stay; pricePerNight: number }): void {
    if (this.version > 0) throw new BookingRuleViolation(`booking ${this.id} was already requested`);
    // Stay dates are calendar dates (YYYY-MM-DD), parsed as UTC midnight.
    const nights = Math.round((Date.parse(command.stay.checkOut) - Date.parse(command.stay.checkIn)) / dayMs);
    if (!(nights >= 1)) throw new BookingRuleViolation('a stay needs at least one night (check-out after check-in)');
    this.raise('BookingRequested', { roomId: command.roomId, guest: command.guest, stay: command.stay, nights, priceQuoted: nights * command.pricePerNight });
  }

  confirm(confirmationCode: string): void {
    this.#mustBe('requested', 'confirmed');
    this.raise('BookingConfirmed', { confirmationCode });
  }

  checkIn(): void {
    this.#mustBe('confirmed', 'checked in');
    this.raise('GuestCheckedIn', {});
  }

  checkOut(minibarTotal: number): void {
    this.#mustBe('checkedIn', 'checked out');
    if (minibarTotal < 0) throw new BookingRuleViolation('a minibar total cannot be negative');
    this.raise('GuestCheckedOut', { minibarTotal });
  }

  /** The guest took `quantity` of a minibar item (the spec's rule adds it to `minibar[item]`). */
  takeFromMinibar(item: string, quantity: number): void {
    this.#mustBe('checkedIn', 'charged for the minibar');
    if (!Number.isInteger(quantity) || quantity <= 0) throw new BookingRuleViolation('a minibar quantity is a positive whole number');
    this.raise('MinibarItemTaken', { item, quantity });
  }

  /** Put back what was taken: never more than the guest has of that item. */
  returnToMinibar(item: string, quantity: number): void {
    this.#mustBe('checkedIn', 'credited for the minibar');
    const taken = this.state.minibar[item] ?? 0;
    if (!Number.isInteger(quantity) || quantity <= 0 || quantity > taken) throw new BookingRuleViolation(`cannot return ${quantity} ${item}: ${taken} taken`);
    this.raise('MinibarItemReturned', { item, quantity });
  }

  cancel(reason?: string): void {
    if (this.state.status !== 'requested' && this.state.status !== 'confirmed') {
      throw new BookingRuleViolation(`a booking that is ${this.state.status} cannot be cancelled`);
    }
    this.raise('BookingCancelled', reason !== undefined ? { reason } : {});
  }

  addNote(text: string): void {
    if (text.trim() === '') throw new BookingRuleViolation('a note needs text');
    this.raise('NoteAdded', { text });
  }

  protected override onNoteAdded(data: NoteAdded, _context: EventContext): void {
    this.patchState({ notes: [...this.state.notes, data.text] });
  }

  #mustBe(status: 'requested' | 'confirmed' | 'checkedIn', action: string): void {
    if (this.state.status !== status) throw new BookingRuleViolation(`a booking that is ${this.state.status} cannot be ${action}`);
  }
}
