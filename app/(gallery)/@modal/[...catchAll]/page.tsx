/** Any other page of the group closes the viewer (a soft navigation keeps a slot's last state otherwise). */
export default function NoModal() {
  return null;
}
