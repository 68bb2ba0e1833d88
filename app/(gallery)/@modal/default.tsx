/** No photo open: the slot renders nothing. */
export default function NoModal() {
  return null;
}
